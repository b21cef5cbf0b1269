// JSON for the whole project is nlohmann/json, built with JSON_NOEXCEPTION (CMakeLists.txt):
// every throw inside nlohmann becomes abort(). So on values of unknown shape check the type before
// get<>(), never call at() or the const operator[] with a key that may be missing (undefined
// behaviour), and convert numbers with the helpers below. Keys are kept sorted (nlohmann::json's
// default), which is how the committed model files were written.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "stockcast/error.hpp"

namespace stockcast {

using Json = nlohmann::json;

inline constexpr int kMaxJsonDepth = 256;
inline constexpr std::size_t kMaxJsonBytes = std::size_t{16} << 20;

// Parses one JSON text strictly (RFC 8259: no comments, trailing commas, byte order mark, invalid
// UTF-8, trailing bytes), and also rejects duplicate keys, nesting deeper than kMaxJsonDepth and
// texts longer than kMaxJsonBytes. Errors are invalid_input: "JSON: syntax error at byte 12: ...".
Result<Json> parse_json(std::string_view text);

// The member `key` of `j`; nullptr when missing or `j` is not an object.
const Json* json_find(const Json& j, std::string_view key);

// `j` as a long long when it is an integer that fits (an integer, not a double holding one).
std::optional<long long> json_int(const Json& j);

// Compact (indent < 0) or indented text, exactly as nlohmann's dump(), except that invalid
// UTF-8 in a string is replaced (U+FFFD) instead of aborting.
std::string json_dump(const Json& j, int indent = -1);

}  // namespace stockcast
