// Helpers the network code shares (nn.cpp: the LSTM; transformer.cpp): dimension checks against the
// caps, and scratch buffers that grow on demand.
#pragma once

#include <cstddef>

#include "stockcast/error.hpp"
#include "stockcast/nn.hpp"

namespace stockcast::nn::detail {

inline Status check_dim(const char* field, int value, int min, int max) {
    if (value < min || value > max)
        return make_error(value > max ? ErrorCode::dimension_too_large : ErrorCode::bad_header,
                          {"architecture.", field, ": expected ", min, "..", max, ", got ", value});
    return Ok{};
}

inline void resize(Workspace::Buffer& v, std::size_t n) {
    if (v.size() < n) v.resize(n);
}

}  // namespace stockcast::nn::detail
