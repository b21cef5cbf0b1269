// libFuzzer target for the model-file parsers (LSTM and factor models). The hash check is off so the fuzzer reaches the
// structural checks behind it (with it on, almost every mutation stops at hash_mismatch); the
// test vector still runs, so a file that parses also exercises the forward pass.
#include <cstddef>
#include <cstdint>

#include "stockcast/factor_model.hpp"
#include "stockcast/model.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    stockcast::ParseOptions options;
    options.verify_hash = false;
    auto parsed = stockcast::parse_model(data, size, options);
    if (!parsed.ok() && parsed.error().message.empty()) __builtin_trap();  // every error names its cause
    // The factor reader (format version 2) on the same bytes; its valid files run their test vector.
    auto factor = stockcast::parse_factor_model(data, size, stockcast::FactorParseOptions{false, true});
    if (!factor.ok() && factor.error().message.empty()) __builtin_trap();
    return 0;
}
