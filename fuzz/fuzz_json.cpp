// libFuzzer target for JSON through nlohmann (built with JSON_NOEXCEPTION, where any throw is an
// abort, i.e. a crash here). The input is a model header: it goes into a model file with a
// zeroed 256 KiB data section (hash check off) so parse_model's header checks all run on it.
// Input that parses as JSON must also dump and parse back to the same text, compact and pretty.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "stockcast/json.hpp"
#include "stockcast/model.hpp"

namespace {

void put_le(std::uint8_t* p, std::uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace stockcast;
    constexpr std::size_t kData = 256 << 10;
    if (size > kMaxHeaderBytes) return 0;
    const std::size_t data_start = (kModelPrefixBytes + size + kTensorAlignment - 1) / kTensorAlignment * kTensorAlignment;
    std::vector<std::uint8_t> file(data_start + kData + 32, 0);
    std::memcpy(file.data(), kModelMagic, sizeof kModelMagic);
    put_le(file.data() + 8, kModelFormatVersion, 4);
    put_le(file.data() + 12, size, 4);
    put_le(file.data() + 16, kData, 8);
    if (size) std::memcpy(file.data() + kModelPrefixBytes, data, size);
    ParseOptions options;
    options.verify_hash = false;
    auto model = parse_model(file.data(), file.size(), options);
    if (!model.ok() && model.error().message.empty()) __builtin_trap();  // every error names its cause
    auto header = read_model_header(file.data(), file.size());
    if (!header.ok() && header.error().message.empty()) __builtin_trap();

    auto parsed = parse_json({reinterpret_cast<const char*>(data), size});
    if (!parsed.ok()) {
        if (parsed.error().message.empty()) __builtin_trap();
        return 0;
    }
    const std::string text = json_dump(parsed.value());
    auto again = parse_json(text);
    if (!again.ok() || json_dump(again.value()) != text) __builtin_trap();
    auto pretty = parse_json(json_dump(parsed.value(), 2));
    if (!pretty.ok() || json_dump(pretty.value()) != text) __builtin_trap();
    return 0;
}
