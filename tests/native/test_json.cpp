// The JSON module: byte identity with the committed (nlohmann-written) files, strict parsing
// with offsets, exact number conversion (against glibc's strtod), escapes and the writer's format.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
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

// The JSON header of a model file: bytes [24, 24 + L), L the little-endian u32 at offset 12.
std::string model_header(const std::string& file) {
    REQUIRE(file.size() >= 24);
    const auto* p = reinterpret_cast<const unsigned char*>(file.data());
    const std::size_t length = p[12] | (p[13] << 8) | (p[14] << 16) | (std::size_t{p[15]} << 24);
    REQUIRE(24 + length <= file.size());
    return file.substr(24, length);
}

std::vector<std::string> files_in(const std::string& relative_dir, const std::string& extension) {
    std::vector<std::string> out;
    for (const auto& entry : std::filesystem::directory_iterator(testing::source_path(relative_dir)))
        if (entry.path().extension() == extension) out.push_back(relative_dir + "/" + entry.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

double from_bits(std::uint64_t bits) {
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return d;
}

}  // namespace

TEST_CASE("json: every committed model header is reproduced byte for byte", "[json]") {
    std::vector<std::string> files = files_in("models", ".stkm");
    for (const auto& f : files_in("tests/golden", ".stkm")) files.push_back(f);
    files.push_back("tests/hostile/valid.stkm");
    REQUIRE(files.size() >= 19);
    for (const auto& file : files) {
        INFO(file);
        const std::string header = model_header(read_file(file));
        CHECK(parsed(header).dump() == header);
    }
    // The hostile variants whose header is still JSON were written the same way.
    int variants = 0;
    for (const auto& file : files_in("tests/hostile", ".stkm")) {
        const std::string bytes = read_file(file);
        if (bytes.size() < 24 || bytes.compare(0, 8, std::string("STKCAST\0", 8)) != 0) continue;
        const std::size_t length = static_cast<unsigned char>(bytes[12]) | (static_cast<unsigned char>(bytes[13]) << 8) |
                                   (static_cast<unsigned char>(bytes[14]) << 16);
        if (bytes[15] != 0 || 24 + length > bytes.size()) continue;
        auto doc = parse_json(std::string_view(bytes).substr(24, length));
        if (!doc) continue;
        INFO(file);
        CHECK(doc.value().dump() == bytes.substr(24, length));
        ++variants;
    }
    CHECK(variants >= 25);
}

TEST_CASE("json: every committed JSON document parses and round-trips", "[json]") {
    std::vector<std::string> files = {"models/manifest.json", "tests/hostile/cases.json"};
    for (const auto& f : files_in("tests/golden", ".json")) files.push_back(f);
    for (const auto& f : files_in("tests/golden/risk", ".json")) files.push_back(f);
    for (const auto& f : files_in("models/history", ".json")) files.push_back(f);
    REQUIRE(files.size() >= 8);
    for (const auto& file : files) {
        INFO(file);
        const Json doc = parsed(read_file(file));
        CHECK((doc.is_object() || doc.is_array()));
        const std::string text = doc.dump();
        CHECK(parsed(text) == doc);
        CHECK(parsed(text).dump() == text);
        CHECK(parsed(doc.dump(2)).dump() == text);
    }
    // cases.json is written by make_fixtures with dump(1).
    const std::string cases = read_file("tests/hostile/cases.json");
    CHECK(parsed(cases).dump(1) + "\n" == cases);
}

TEST_CASE("json: malformed documents are rejected with what and where", "[json]") {
    const std::pair<std::string, std::string> cases[] = {
        {"", "expected a value, got the end of the input at byte 0"},
        {"   ", "expected a value, got the end of the input at byte 3"},
        {"[1,]", "trailing comma before ']' at byte 3"},
        {"{\"a\":1,}", "trailing comma before '}' at byte 7"},
        {"[1 2]", "expected ',' or ']', got '2' at byte 3"},
        {"[1", "expected ',' or ']', got the end of the input at byte 2"},
        {"[", "expected a value, got the end of the input at byte 1"},
        {"{\"a\":1", "expected ',' or '}', got the end of the input at byte 6"},
        {"{\"a\" 1}", "expected ':' after an object key, got '1' at byte 5"},
        {"{a:1}", "expected a string key, got 'a' at byte 1"},
        {"{1:1}", "expected a string key, got '1' at byte 1"},
        {"// note\n1", "expected a value, got '/' (JSON has no comments) at byte 0"},
        {"[1] /* note */", "expected the end of the input after the JSON value, got '/' (JSON has no comments) at byte 4"},
        {"01", "leading zeros are not allowed in numbers at byte 0"},
        {"[-007]", "leading zeros are not allowed in numbers at byte 2"},
        {"1.", "expected a digit after the decimal point, got the end of the input at byte 2"},
        {"1.e5", "expected a digit after the decimal point, got 'e' at byte 2"},
        {".5", "expected a value, got '.' at byte 0"},
        {"+1", "expected a value, got '+' at byte 0"},
        {"1e", "expected a digit in the exponent, got the end of the input at byte 2"},
        {"1e+", "expected a digit in the exponent, got the end of the input at byte 3"},
        {"-", "expected a digit after '-', got the end of the input at byte 1"},
        {"-a", "expected a digit after '-', got 'a' at byte 1"},
        {"NaN", "expected a value, got 'N' at byte 0"},
        {"[Infinity]", "expected a value, got 'I' at byte 1"},
        {"0x10", "expected the end of the input after the JSON value, got 'x' at byte 1"},
        {"[1e309]", "number beyond the range of a double at byte 1"},
        {"-1e400", "number beyond the range of a double at byte 0"},
        {"1.7976931348623159e308", "number beyond the range of a double at byte 0"},
        {"tru", "expected 'true' at byte 0"},
        {"[nul]", "expected 'null' at byte 1"},
        {"True", "expected a value, got 'T' at byte 0"},
        {"\"abc", "unterminated string at byte 0"},
        {"[\"a\\", "unterminated string at byte 3"},
        {"\"\\x\"", "invalid escape sequence at byte 1"},
        {"\"\\'\"", "invalid escape sequence at byte 1"},
        {"\"\\u12\"", "expected four hex digits after \\u at byte 1"},
        {"\"\\u12G4\"", "expected four hex digits after \\u at byte 1"},
        {"\"\\uD800\"", "unpaired UTF-16 surrogate (no low one follows) at byte 1"},
        {"\"\\uD800\\u0041\"", "unpaired UTF-16 surrogate (no low one follows) at byte 1"},
        {"\"\\uD800\\n\"", "unpaired UTF-16 surrogate (no low one follows) at byte 1"},
        {"\"x\\uD800\\u12\"", "expected four hex digits after \\u at byte 8"},
        {"\"\\uDC00\"", "unpaired UTF-16 surrogate (a low one first) at byte 1"},
        {"\"a\nb\"", "unescaped control character (byte 0x0A) in a string at byte 2"},
        {"\"\t\"", "unescaped control character (byte 0x09) in a string at byte 1"},
        {std::string("\"\0\"", 3), "unescaped control character (byte 0x00) in a string at byte 1"},
        {"\"\xff\"", "invalid UTF-8 in a string at byte 1"},
        {"\"\x80\"", "invalid UTF-8 in a string at byte 1"},
        {"\"\xc0\xaf\"", "invalid UTF-8 in a string at byte 1"},          // overlong '/'
        {"\"\xe0\x80\xaf\"", "invalid UTF-8 in a string at byte 2"},      // overlong
        {"\"\xed\xa0\x80\"", "invalid UTF-8 in a string at byte 2"},      // encoded surrogate
        {"\"\xf4\x90\x80\x80\"", "invalid UTF-8 in a string at byte 2"},  // above U+10FFFF
        {"\"\xe2\x82\"", "invalid UTF-8 in a string at byte 3"},          // truncated sequence
        {"\"\xe2\x82", "invalid UTF-8 in a string at byte 3"},
        {"[1] x", "expected the end of the input after the JSON value, got 'x' at byte 4"},
        {"{} {}", "expected the end of the input after the JSON value, got '{' at byte 3"},
        {std::string("[1]\0", 4), "expected the end of the input after the JSON value, got byte 0x00 at byte 3"},
        {"\xef\xbb\xbf{}", "expected a value, got byte 0xEF at byte 0"},  // no byte order mark
        {"{\"a\":1,\"a\":2}", "duplicate key \"a\" at byte 7"},
        {"{\"b\":1,\"a\":2,\"b\":3}", "duplicate key \"b\" at byte 13"},
        {"{\"a\":1,\"\\u0061\":2}", "duplicate key \"a\" at byte 7"},
        {"[{\"x\":{\"k\":1,\"k\":1}}]", "duplicate key \"k\" at byte 13"},
    };
    for (const auto& [text, message] : cases) {
        INFO("document: " << text);
        CHECK(parse_error(text) == message);
    }
}

TEST_CASE("json: nesting is capped, so a hostile document cannot exhaust the stack", "[json]") {
    const auto nested = [](int depth, char open, const std::string& inner, char close) {
        std::string s;
        for (int i = 0; i < depth; ++i) s += open == '{' ? "{\"k\":" : "[";
        s += inner;
        for (int i = 0; i < depth; ++i) s += close;
        return s;
    };
    CHECK(parsed(nested(kMaxJsonDepth, '[', "1", ']')).is_array());
    CHECK(parsed(nested(kMaxJsonDepth, '{', "1", '}')).is_object());
    CHECK(parse_error(nested(kMaxJsonDepth + 1, '[', "1", ']')) == "nesting deeper than 256 levels at byte 256");
    CHECK(parse_error(nested(kMaxJsonDepth + 1, '{', "1", '}')) == "nesting deeper than 256 levels at byte 1280");
    CHECK(parse_error(std::string(1000000, '[')) == "nesting deeper than 256 levels at byte 256");
}

TEST_CASE("json: valid documents, scalars and whitespace", "[json]") {
    CHECK(parsed("null").is_null());
    CHECK(parsed(" \t\r\ntrue\n").get<bool>());
    CHECK_FALSE(parsed("false").get<bool>());
    CHECK(parsed("\"\"").get<std::string>().empty());
    CHECK(parsed("[]").is_array());
    CHECK(parsed("{}").is_object());
    CHECK(parsed("\"\x7f\"").get<std::string>() == "\x7f");  // DEL needs no escape
    const Json doc = parsed(R"({"z": [1, -2.5e3, {"y": null}], "a": "x", "m": false})");
    CHECK(doc.dump() == R"({"a":"x","m":false,"z":[1,-2500.0,{"y":null}]})");  // keys sorted, as nlohmann
    CHECK(doc.size() == 3);
    CHECK(doc["z"][1] == -2500);
    CHECK(doc["z"][2]["y"].is_null());
    CHECK(doc["missing"].is_null());
    CHECK(doc["z"][7].is_null());
    CHECK(doc.find("nope") == nullptr);
    CHECK(doc["a"].find("x") == nullptr);  // not an object
}

TEST_CASE("json: numbers: integers stay exact, the rest is correctly rounded like strtod", "[json]") {
    const Json max = parsed("9223372036854775807"), min = parsed("-9223372036854775808");
    CHECK(max.is_number_integer());
    CHECK(max.get<std::int64_t>() == std::numeric_limits<std::int64_t>::max());
    CHECK(min.get<std::int64_t>() == std::numeric_limits<std::int64_t>::min());
    CHECK(max.dump() == "9223372036854775807");
    CHECK(min.dump() == "-9223372036854775808");
    CHECK(parsed("9223372036854775808").is_number_float());  // beyond int64: a double
    CHECK(parsed("-9223372036854775809").get<double>() == -9223372036854775808.0);
    CHECK(parsed("-0").is_number_integer());
    CHECK(parsed("-0").dump() == "0");
    CHECK(parsed("1.0").is_number_float());
    CHECK(parsed("1E2").get<double>() == 100.0);
    CHECK(std::signbit(parsed("-0.0").get<double>()));
    CHECK(std::signbit(parsed("-1e-400").get<double>()));  // underflow keeps the sign
    CHECK(parsed("0e999999999999999999999").get<double>() == 0.0);
    CHECK(parsed("1e-999999999999999999999").get<double>() == 0.0);

    auto check_against_strtod = [](const std::string& text) {
        INFO(text);
        const double expected = std::strtod(text.c_str(), nullptr);
        auto doc = parse_json(text);
        if (std::isinf(expected)) {
            CHECK_FALSE(doc.ok());
            return;
        }
        REQUIRE(doc.ok());
        CHECK(same_bits(doc.value().get<double>(), expected));
    };
    const char* edges[] = {
        "0.1", "0.3", "1e23", "8.98846567431158e307", "9007199254740993", "9007199254740992.5", "9007199254740993.0000000000000000001",
        "2.2250738585072011e-308", "2.2250738585072012e-308", "2.2250738585072014e-308",  // around the smallest normal
        "4.9406564584124654e-324", "2.4703282292062327e-324", "2.4703282292062328e-324",    // the smallest subnormal and half of it
        "1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308",       // DBL_MAX and past its rounding edge
        "123456789012345678901234567890e-50", "0.000000000000000000000000000000000000001", "1e-400", "1e400", "-1e400",
        "7.038531e-26", "1.00000000000000011102230246251565404236316680908203125",  // exactly halfway between 1 and its successor
        "1.00000000000000011102230246251565404236316680908203126", "1.00000000000000011102230246251565404236316680908203124",
        // The longest halfway case: 2^-1075 written out (smallest subnormal / 2), a digit above it, and one below.
        "2.4703282292062327208828439643411068618252990130716238221279284125033775363510437593264991818081799618989828234772285886546332835517796989819938739800539093906315035659515570226392290858392449105184435931802849936536152500319370457678249219365623669863658480757001585769269903706311928279558551332927834338409351978015531246597263579574622766465272827220056374006485499977096599470454020828166226237857393450736339007967761930577506740176324673600968951340535537458516661134223766678604162159680461914467291840300530057530849048765391711386591646239524912623653881879636239373280423891018672348497668235089863388587925628302755995657524455507255189313690836254779186948667994968324049705821028513185451396213837722826145437693412532098591327667236328125e-324",
        "2.4703282292062327208828439643411068618252990130716238221279284125033775363510437593264991818081799618989828234772285886546332835517796989819938739800539093906315035659515570226392290858392449105184435931802849936536152500319370457678249219365623669863658480757001585769269903706311928279558551332927834338409351978015531246597263579574622766465272827220056374006485499977096599470454020828166226237857393450736339007967761930577506740176324673600968951340535537458516661134223766678604162159680461914467291840300530057530849048765391711386591646239524912623653881879636239373280423891018672348497668235089863388587925628302755995657524455507255189313690836254779186948667994968324049705821028513185451396213837722826145437693412532098591327667236328126e-324",
        "2.4703282292062327208828439643411068618252990130716238221279284125033775363510437593264991818081799618989828234772285886546332835517796989819938739800539093906315035659515570226392290858392449105184435931802849936536152500319370457678249219365623669863658480757001585769269903706311928279558551332927834338409351978015531246597263579574622766465272827220056374006485499977096599470454020828166226237857393450736339007967761930577506740176324673600968951340535537458516661134223766678604162159680461914467291840300530057530849048765391711386591646239524912623653881879636239373280423891018672348497668235089863388587925628302755995657524455507255189313690836254779186948667994968324049705821028513185451396213837722826145437693412532098591327667236328124e-324",
    };
    for (const char* e : edges) check_against_strtod(e);
    // 900 significant digits: beyond what the converter keeps, the rest only counts as "a bit larger".
    check_against_strtod("1." + std::string(898, '0') + "1");
    check_against_strtod("0.5" + std::string(900, '0') + "1e-323");

    std::mt19937_64 rng(20261201);
    auto digits = [&rng](std::size_t n) {
        std::string s(1, static_cast<char>('1' + rng() % 9));
        while (s.size() < n) s += static_cast<char>('0' + rng() % 10);
        return s;
    };
    for (int i = 0; i < 60000; ++i) {
        const std::size_t lengths[] = {1 + rng() % 8, 15 + rng() % 5, 1 + rng() % 40, 1 + rng() % 800};
        const std::string d = digits(lengths[rng() % 4]);
        std::string text = rng() % 2 ? "-" : "";
        const std::size_t point = rng() % (d.size() + 1);
        if (rng() % 4 == 0) text += "0." + std::string(rng() % 20, '0') + d;
        else if (point == 0 || point == d.size()) text += d;
        else text += d.substr(0, point) + "." + d.substr(point);
        const int exponent_ranges[] = {20, 330, 700};
        const int range = exponent_ranges[rng() % 3];
        if (rng() % 2) text += "e" + std::to_string(static_cast<int>(rng() % (2 * range + 1)) - range);
        check_against_strtod(text);
    }
}

TEST_CASE("json: doubles round-trip bit for bit in nlohmann's format", "[json]") {
    const std::pair<double, const char*> formats[] = {
        {0.1, "0.1"}, {1e-05, "1e-05"}, {1e-07, "1e-07"}, {0.0001, "0.0001"}, {0.00012345, "0.00012345"},
        {1.0, "1.0"}, {100.0, "100.0"}, {-0.0, "-0.0"}, {0.0, "0.0"}, {2.5, "2.5"}, {-1234.5678, "-1234.5678"},
        {1e14, "100000000000000.0"}, {123456789012345.0, "123456789012345.0"}, {1e15, "1e+15"},
        {9007199254740992.0, "9.007199254740992e+15"}, {1e21, "1e+21"}, {1.5e300, "1.5e+300"}, {5e-324, "5e-324"},
        {1.7976931348623157e308, "1.7976931348623157e+308"},
        // Grisu2 as nlohmann runs it is not always shortest (4.1752050594835e+78 would do);
        // these bytes are what the committed files need.
        {4.1752050594835e+78, "4.1752050594835004e+78"},
        {static_cast<double>(-0.277832448f), "-0.27783244848251343"},
        {std::nan(""), "null"}, {std::numeric_limits<double>::infinity(), "null"},
    };
    for (const auto& [value, text] : formats) {
        INFO(text);
        CHECK(Json(value).dump() == text);
    }
    std::mt19937_64 rng(7);
    auto round_trips = [](double d) {
        const std::string text = Json(d).dump();
        auto back = parse_json(text);
        return back.ok() && same_bits(back.value().get<double>(), d) && same_bits(std::strtod(text.c_str(), nullptr), d);
    };
    int failures = 0, checked = 0;
    for (int i = 0; i < 30000; ++i) {
        float f;
        const auto float_bits = static_cast<std::uint32_t>(rng());
        std::memcpy(&f, &float_bits, sizeof f);
        for (double d : {from_bits(rng()),                              // any bit pattern
                         static_cast<double>(f),                         // float-valued, as model headers hold
                         from_bits(rng() & 0x000FFFFFFFFFFFFFu)}) {      // subnormal
            if (!std::isfinite(d)) continue;
            failures += !round_trips(d);
            ++checked;
        }
    }
    CHECK(checked > 85000);
    CHECK(failures == 0);
}

TEST_CASE("json: string escapes, surrogate pairs and the writer's escaping", "[json]") {
    CHECK(parsed(R"("\"\\\/\b\f\n\r\t")").get<std::string>() == "\"\\/\b\f\n\r\t");
    CHECK(parsed(R"("\u00e9\u00E9\u20ac")").get<std::string>() == "\xc3\xa9\xc3\xa9\xe2\x82\xac");
    CHECK(parsed(R"("\ud83d\ude00")").get<std::string>() == "\xf0\x9f\x98\x80");  // U+1F600 from a surrogate pair
    CHECK(parsed(R"("\uDBFF\uDFFF")").get<std::string>() == "\xf4\x8f\xbf\xbf");  // U+10FFFF
    CHECK(parsed(R"("\u0000")").get<std::string>() == std::string(1, '\0'));
    CHECK(parsed("\"\xf0\x9f\x98\x80 \xc3\xa9\"").get<std::string>() == "\xf0\x9f\x98\x80 \xc3\xa9");  // raw UTF-8 kept

    // nlohmann's escaping: short forms, other controls as lowercase \u00xx, '/' and DEL and UTF-8 as they are.
    const std::string all = std::string("\"\\/\b\f\n\r\t\x01\x1f\x7f \xc3\xa9 \xf0\x9f\x98\x80") + '\0';
    CHECK(Json(all).dump() == "\"\\\"\\\\/\\b\\f\\n\\r\\t\\u0001\\u001f\x7f \xc3\xa9 \xf0\x9f\x98\x80\\u0000\"");
    CHECK(parsed(Json(all).dump()).get<std::string>() == all);
    // Ill-formed UTF-8 (only code can build it) becomes U+FFFD per maximal ill-formed prefix, as nlohmann's "replace".
    CHECK(Json(std::string("a\xff" "b")).dump() == "\"a\xef\xbf\xbd" "b\"");
    CHECK(Json(std::string("\xe2\x82")).dump() == "\"\xef\xbf\xbd\"");
    CHECK(Json(std::string("\xe2\x82x")).dump() == "\"\xef\xbf\xbdx\"");
    CHECK(Json(std::string("\xed\xa0\x80")).dump() == "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
}

TEST_CASE("json: pretty printing matches nlohmann's dump(indent)", "[json]") {
    const Json doc = parsed(R"({"a":[1,2,{"b":null}],"c":{},"d":[]})");
    CHECK(doc.dump(2) == "{\n  \"a\": [\n    1,\n    2,\n    {\n      \"b\": null\n    }\n  ],\n  \"c\": {},\n  \"d\": []\n}");
    CHECK(doc.dump(0) == "{\n\"a\": [\n1,\n2,\n{\n\"b\": null\n}\n],\n\"c\": {},\n\"d\": []\n}");
    CHECK(doc.dump(-1) == R"({"a":[1,2,{"b":null}],"c":{},"d":[]})");
    CHECK(Json(3).dump(4) == "3");
}

TEST_CASE("json: building and editing values", "[json]") {
    const Json object = {{"name", "SCOM"}, {"window", 60}, {"scale", std::vector<float>{0.5f}}, {"ok", true}};
    CHECK(object.is_object());
    CHECK(object.dump() == R"({"name":"SCOM","ok":true,"scale":[0.5],"window":60})");
    CHECK(Json{{"name", 1}, {2, 3}}.is_array());  // not every element is a [string, value] pair
    CHECK(Json{1, 2}.dump() == "[1,2]");
    CHECK(Json::array({{"a", 1}}).dump() == R"([["a",1]])");
    CHECK(Json::object().dump() == "{}");
    CHECK(Json(std::vector<std::vector<double>>{{1.5}, {}}).dump() == "[[1.5],[]]");
    CHECK(Json(std::vector<std::string>{"a", "b"}).dump() == R"(["a","b"])");
    CHECK(Json(std::size_t{7}).is_number_integer());
    CHECK(Json(std::numeric_limits<std::uint64_t>::max()).is_number_float());

    Json j;
    j["b"]["c"] = 1;  // null becomes an object
    j["a"] = nullptr;
    j["list"].push_back(2.5);  // null becomes an array
    j["list"][2] = "x";        // grows with nulls
    CHECK(j.dump() == R"({"a":null,"b":{"c":1},"list":[2.5,null,"x"]})");
    CHECK(j.contains("a"));
    CHECK(j.erase("a") == 1);
    CHECK(j.erase("a") == 0);
    j["list"].erase(0);
    CHECK(j["list"].size() == 2);
    CHECK(j.size() == 2);
    CHECK_FALSE(j.empty());
    CHECK(Json().empty());
    CHECK(Json::array().empty());
    CHECK(Json(5).size() == 1);
    Json copies = {{"a", 1}};
    for (int i = 0; i < 100; ++i) copies["k" + std::to_string(i)] = copies["a"];  // the source member survives each insertion
    CHECK(copies.size() == 101);
    CHECK(copies["k99"] == 1);
    int visited = 0;
    for (const auto& [key, value] : j.items()) visited += !key.empty() && !value.is_null();
    CHECK(visited == 2);
    for (const Json& nothing : Json(5)) CHECK(nothing.is_null());  // iterating a scalar visits nothing

    CHECK(std::string(Json().type_name()) == "null");
    CHECK(std::string(Json(1.5).type_name()) == "number");
    CHECK(std::string(Json(2).type_name()) == "number");
    CHECK(std::string(Json("s").type_name()) == "string");
    CHECK(std::string(Json::array().type_name()) == "array");
    CHECK(std::string(Json::object().type_name()) == "object");
    CHECK(std::string(Json(false).type_name()) == "boolean");

    CHECK(Json(1) == Json(1.0));
    CHECK(Json("1") != Json(1));
    CHECK(parsed("[1,{\"a\":2}]") == Json{1, {{"a", 2.0}}});
    CHECK(Json(2.9).get<int>() == 2);
    CHECK(Json(1e30).get<int>() == 0);  // out of range: 0, not undefined behaviour
    CHECK(Json(-1.0).get<unsigned>() == 0);
    CHECK(std::isinf(Json(1e300).get<float>()));
    CHECK(Json("text").get<double>() == 0);
    CHECK(Json(7).get<std::string>().empty());
    CHECK(parsed("[1, 2.5, 3]").get<std::vector<int>>() == std::vector<int>{1, 2, 3});
    CHECK(parsed("[[1], [2, 3]]").get<std::vector<std::vector<double>>>() == std::vector<std::vector<double>>{{1}, {2, 3}});
}
