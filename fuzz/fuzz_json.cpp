// libFuzzer target for the JSON parser and writer: any input either fails with a message or
// parses to a value whose dump() parses back to the same text (compact and pretty).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "stockcast/json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto parsed = stockcast::parse_json({reinterpret_cast<const char*>(data), size});
    if (!parsed.ok()) {
        if (parsed.error().message.empty()) __builtin_trap();  // every error names its cause
        return 0;
    }
    const std::string text = parsed.value().dump();
    auto again = stockcast::parse_json(text);
    if (!again.ok() || again.value().dump() != text) __builtin_trap();
    auto pretty = stockcast::parse_json(parsed.value().dump(2));
    if (!pretty.ok() || pretty.value().dump() != text) __builtin_trap();
    return 0;
}
