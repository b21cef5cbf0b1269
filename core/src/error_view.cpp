#include "stockcast/error_view.hpp"

namespace stockcast {

ErrorView error_view(const Error& e) {
    return ErrorView{code_category(e.code), code_name(e.code), e.message, e.field, static_cast<double>(e.required),
                     static_cast<double>(e.provided), e.value, e.min, e.max};
}

}  // namespace stockcast
