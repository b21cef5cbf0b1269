// JSON is nlohmann/json; these test what the project adds (stockcast/json.hpp): the strict
// parse_json (duplicate keys, depth and size caps, byte offsets, UTF-8, numbers), the helpers,
// and that dump() reproduces the committed (nlohmann-written) model headers byte for byte.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <random>

#include "stockcast/json.hpp"
#include "test_support.hpp"

using namespace stockcast;

namespace {

std::string read_file(const std::string& relative) {
    auto text = read_text_file(testing::source_path(relative));
    REQUIRE(text.ok());
    return text.value();
}

Json parsed(std::string_view text) {
    auto doc = parse_json(text);
    INFO(text.substr(0, 200));
    REQUIRE(doc.ok());
    return std::move(doc.value());
}

std::string parse_error(std::string_view text) {
    auto doc = parse_json(text);
    REQUIRE_FALSE(doc.ok());
    CHECK(doc.error().code == ErrorCode::invalid_input);
    return doc.error().message;
}

// The length L of a model file's JSON header, bytes [24, 24 + L): the little-endian u32 at offset 12.
std::size_t header_length(const std::string& file) {
    const auto* p = reinterpret_cast<const unsigned char*>(file.data());
    return p[12] | (p[13] << 8) | (p[14] << 16) | (std::size_t{p[15]} << 24);
}

std::vector<std::string> files_in(const std::string& relative_dir, const std::string& extension) {
    std::vector<std::string> out;
    for (const auto& entry : std::filesystem::directory_iterator(testing::source_path(relative_dir)))
        if (entry.path().extension() == extension) out.push_back(relative_dir + "/" + entry.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

TEST_CASE("json: every committed model header is reproduced byte for byte", "[json]") {
    std::vector<std::string> files = files_in("models", ".stkm");
    for (const auto& f : files_in("tests/golden", ".stkm")) files.push_back(f);
    for (const auto& f : files_in("tests/hostile", ".stkm")) files.push_back(f);
    int headers = 0;
    for (const auto& file : files) {
        const std::string bytes = read_file(file);
        if (bytes.size() < 24 || bytes.compare(0, 8, std::string("STKCAST\0", 8)) != 0) continue;
        const std::size_t length = header_length(bytes);
        if (24 + length > bytes.size()) continue;  // hostile: a header past the end
        auto doc = parse_json(std::string_view(bytes).substr(24, length));
        if (!doc) continue;  // hostile: a header that is not JSON
        INFO(file);
        CHECK(json_dump(doc.value()) == bytes.substr(24, length));
        ++headers;
    }
    CHECK(headers >= 19 + 25);  // the shipped models, the golden ones and the hostile variants
}

TEST_CASE("json: every committed JSON document parses and round-trips", "[json]") {
    std::vector<std::string> files = {"models/manifest.json", "tests/hostile/cases.json"};
    for (const auto& f : files_in("tests/golden", ".json")) files.push_back(f);
    for (const auto& f : files_in("tests/golden/risk", ".json")) files.push_back(f);
    for (const auto& f : files_in("models/history", ".json")) files.push_back(f);
    for (const auto& file : files) {
        INFO(file);
        const Json doc = parsed(read_file(file));
        const std::string text = json_dump(doc);
        CHECK(parsed(text) == doc);
        CHECK(json_dump(parsed(json_dump(doc, 2))) == text);
    }
    // cases.json is written by make_fixtures with dump(1).
    const std::string cases = read_file("tests/hostile/cases.json");
    CHECK(json_dump(parsed(cases), 1) + "\n" == cases);
}

TEST_CASE("json: syntax errors say what and at which byte the parser stopped", "[json]") {
    const std::pair<std::string, std::string> cases[] = {
        {"", "at byte 0: while parsing value - unexpected end of input"},
        {"   ", "at byte 3: while parsing value - unexpected end of input"},
        {"[1,]", "at byte 3: while parsing value - unexpected ']'"},
        {"{\"a\":1,}", "at byte 7: while parsing object key - unexpected '}'"},
        {"[1 2]", "at byte 3: while parsing array - unexpected number literal; expected ']'"},
        {"{a:1}", "at byte 1: while parsing object key - invalid literal"},
        {"01", "at byte 1: while parsing value - unexpected number literal; expected end of input"},
        {"1.", "at byte 2: while parsing value - invalid number; expected digit after '.'"},
        {"[1e309]", "at byte 5: number overflow parsing '1e309'"},
        {"-1e400", "at byte 5: number overflow parsing '-1e400'"},
        {"NaN", "at byte 0: while parsing value - invalid literal"},
        {"tru", "at byte 3: while parsing value - invalid literal"},
        {"// note\n1", "at byte 0: while parsing value - invalid literal"},  // no comments
        {"\"abc", "at byte 4: while parsing value - invalid string: missing closing quote"},
        {"\"\\x\"", "at byte 2: while parsing value - invalid string: forbidden character after backslash"},
        {"\"\\uD800\"", "at byte 7: while parsing value - invalid string: surrogate U+D800..U+DBFF must be followed"},
        {"\"\\uDC00\"", "at byte 6: while parsing value - invalid string: surrogate U+DC00..U+DFFF must follow"},
        {"\"a\nb\"", "at byte 2: while parsing value - invalid string: control character U+000A (LF) must be escaped"},
        {"[1] x", "at byte 4: while parsing value - invalid literal"},
        {"{} {}", "at byte 3: while parsing value - unexpected '{'; expected end of input"},
        {std::string("[1]\0", 4), "at byte 3: NUL byte"},  // nlohmann alone would stop there and accept
        {std::string("[\"a\0\"]", 6), "at byte 3: NUL byte"},
        {"\xef\xbb\xbf{}", "at byte 0: byte order mark"},  // nlohmann alone would skip it
    };
    for (const auto& [text, message] : cases) {
        INFO("document: " << text);
        CHECK(parse_error(text).rfind("JSON: syntax error " + message, 0) == 0);
    }
}

TEST_CASE("json: strings must be valid UTF-8", "[json]") {
    CHECK(parsed("\"k\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\x88\"").get<std::string>() == "k\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\x88");
    CHECK(parsed("\"\\ud83d\\udcc8\"").get<std::string>() == "\xf0\x9f\x93\x88");  // a surrogate pair
    const std::pair<std::string, std::size_t> invalid[] = {
        {"\"\xff\"", 1}, {"\"\x80\"", 1},
        {"\"\xc0\xaf\"", 1},          // overlong '/'
        {"\"\xe0\x80\xaf\"", 2},      // overlong
        {"\"\xed\xa0\x80\"", 2},      // an encoded surrogate
        {"\"\xf4\x90\x80\x80\"", 2},  // above U+10FFFF
        {"\"\xe2\x82\"", 3},          // truncated sequence
    };
    for (const auto& [text, at] : invalid) {
        INFO("document: " << text);
        CHECK(parse_error(text).rfind(cat({"JSON: syntax error at byte ", at, ": while parsing value - invalid string: ill-formed UTF-8"}), 0) == 0);
    }
}

TEST_CASE("json: duplicate keys are rejected, naming the key", "[json]") {
    CHECK(parse_error("{\"a\":1,\"a\":2}") == "JSON: duplicate key \"a\"");
    CHECK(parse_error("{\"b\":1,\"a\":2,\"b\":3}") == "JSON: duplicate key \"b\"");
    CHECK(parse_error("{\"a\":1,\"\\u0061\":2}") == "JSON: duplicate key \"a\"");  // the same key once unescaped
    CHECK(parse_error("[{\"x\":{\"k\":1,\"k\":1}}]") == "JSON: duplicate key \"k\"");
    CHECK(parsed("[{\"k\":1},{\"k\":2}]").size() == 2);  // the same key in two objects is fine
}

TEST_CASE("json: nesting and size are capped, so a hostile document cannot exhaust memory or stack", "[json]") {
    const auto nested = [](int depth, char open) {
        std::string s;
        for (int i = 0; i < depth; ++i) s += open == '{' ? "{\"k\":" : "[";
        s += "1";
        for (int i = 0; i < depth; ++i) s += open == '{' ? '}' : ']';
        return s;
    };
    CHECK(parsed(nested(kMaxJsonDepth, '[')).is_array());
    CHECK(parsed(nested(kMaxJsonDepth, '{')).is_object());
    CHECK(parse_error(nested(kMaxJsonDepth + 1, '[')) == "JSON: nesting deeper than 256 levels");
    CHECK(parse_error(nested(kMaxJsonDepth + 1, '{')) == "JSON: nesting deeper than 256 levels");
    CHECK(parse_error(std::string(1000000, '[')) == "JSON: nesting deeper than 256 levels");

    std::string big = "1" + std::string(kMaxJsonBytes - 1, ' ');
    CHECK(parsed(big) == 1);
    big += ' ';
    CHECK(parse_error(big) == cat({"JSON: ", kMaxJsonBytes + 1, " bytes exceeds the cap of ", kMaxJsonBytes}));
}

TEST_CASE("json: numbers: integers stay exact, doubles round-trip, json_int converts only what fits", "[json]") {
    const Json max = parsed("9223372036854775807"), min = parsed("-9223372036854775808");
    CHECK(json_int(max) == std::numeric_limits<long long>::max());
    CHECK(json_int(min) == std::numeric_limits<long long>::min());
    CHECK(json_dump(min) == "-9223372036854775808");
    const Json u64 = parsed("18446744073709551615");
    CHECK(u64.is_number_unsigned());
    CHECK(json_dump(u64) == "18446744073709551615");
    CHECK_FALSE(json_int(u64));                        // beyond long long: no wrap-around
    CHECK(parsed("18446744073709551616").is_number_float());  // beyond uint64: a double
    CHECK(json_int(parsed("-5")) == -5);
    CHECK_FALSE(json_int(parsed("1.0")));  // a double, even a whole one, is not an integer
    CHECK_FALSE(json_int(parsed("\"1\"")));
    CHECK(json_dump(parsed("-0")) == "0");
    CHECK(std::signbit(parsed("-0.0").get<double>()));
    CHECK(parsed("1E2").get<double>() == 100.0);
    CHECK(parsed("1e-400").get<double>() == 0.0);  // underflow is fine, overflow is an error (above)

    std::mt19937_64 rng(42);
    for (int i = 0; i < 20000; ++i) {
        double d;
        const std::uint64_t bits = rng();
        std::memcpy(&d, &bits, sizeof d);
        if (!std::isfinite(d)) continue;
        const std::string text = json_dump(Json(d));
        INFO(text);
        const double back = parsed(text).get<double>();
        CHECK(std::memcmp(&back, &d, sizeof d) == 0);
    }
}

TEST_CASE("json: json_find and json_dump never abort", "[json]") {
    const Json doc = parsed(R"({"z": [1, -2.5e3, {"y": null}], "a": "x", "m": false})");
    CHECK(json_dump(doc) == R"({"a":"x","m":false,"z":[1,-2500.0,{"y":null}]})");  // keys sorted
    REQUIRE(json_find(doc, "z") != nullptr);
    CHECK(json_find(doc, "z")->size() == 3);
    CHECK(json_find(doc, "nope") == nullptr);
    CHECK(json_find(*json_find(doc, "a"), "x") == nullptr);  // not an object
    CHECK(json_find(Json(), "a") == nullptr);
    // Invalid UTF-8 in a value built in C++ (nlohmann's dump() would abort under JSON_NOEXCEPTION).
    CHECK(json_dump(Json{{"s", "a\xff"}}) == "{\"s\":\"a\xef\xbf\xbd\"}");
    CHECK(json_dump(Json{{"k", {1, 2}}}, 1) == "{\n \"k\": [\n  1,\n  2\n ]\n}");
}
