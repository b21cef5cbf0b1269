#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <random>

#include "stockcast/float16.hpp"
#include "stockcast/factor_model.hpp"
#include "stockcast/model.hpp"
#include "stockcast/sha256.hpp"
#include "test_support.hpp"

using namespace stockcast;

TEST_CASE("SHA-256 matches the FIPS 180-4 examples", "[format]") {
    const std::string abc = "abc";
    CHECK(to_hex(sha256(reinterpret_cast<const std::uint8_t*>(abc.data()), abc.size())) ==
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(to_hex(sha256(nullptr, 0)) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const std::string two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    CHECK(to_hex(sha256(reinterpret_cast<const std::uint8_t*>(two_blocks.data()), two_blocks.size())) ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    const std::string million(1000000, 'a');
    CHECK(to_hex(sha256(reinterpret_cast<const std::uint8_t*>(million.data()), million.size())) ==
          "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("float16 conversion rounds to nearest even and keeps specials", "[format]") {
    CHECK(float_to_half(1.0f) == 0x3c00);
    CHECK(float_to_half(-2.0f) == 0xc000);
    CHECK(float_to_half(65504.0f) == 0x7bff);
    CHECK(float_to_half(65520.0f) == 0x7c00);          // rounds to infinity
    CHECK(float_to_half(5.9604645e-8f) == 0x0001);     // smallest subnormal
    CHECK(float_to_half(2.9802322e-8f) == 0x0000);     // half of it: ties to even (zero)
    CHECK(float_to_half(1.0f + 1.0f / 2048) == 0x3c00);  // tie -> even
    CHECK(float_to_half(1.0f + 3.0f / 2048) == 0x3c02);  // tie -> even (up)
    CHECK(std::isnan(half_to_float(float_to_half(std::nanf("")))));
    for (std::uint32_t h = 0; h < 0x7c00; ++h) {  // every finite positive half round-trips
        const auto half = static_cast<std::uint16_t>(h);
        REQUIRE(float_to_half(half_to_float(half)) == half);
    }
}

TEST_CASE("a model round-trips through the file format", "[format]") {
    const testing::Golden g = testing::load_golden("nn_general.json");
    const Model model = testing::make_model(g.net, "general");

    SECTION("float32 is exact") {
        auto bytes = write_model(model, Dtype::f32);
        REQUIRE(bytes.ok());
        auto parsed = parse_model(bytes.value().data(), bytes.value().size());
        REQUIRE(parsed.ok());
        nn::Network& net = parsed.value().net;
        auto a = net.tensors();
        auto b = const_cast<nn::Network&>(g.net).tensors();
        REQUIRE(a.size() == b.size());
        for (std::size_t t = 0; t < a.size(); ++t) {
            CHECK(a[t].name == b[t].name);
            CHECK(a[t].shape == b[t].shape);
            std::size_t n = 1;
            for (int d : a[t].shape) n *= static_cast<std::size_t>(d);
            CHECK(std::memcmp(a[t].data, b[t].data, n * sizeof(float)) == 0);
        }
        CHECK(parsed.value().meta.stocks == model.meta.stocks);
        CHECK(parsed.value().output.horizons == model.output.horizons);
        CHECK(parsed.value().intervals.upper == model.intervals.upper);
        CHECK(parsed.value().stock_id("S3") == 3);
        CHECK(parsed.value().stock_id("NOPE") == -1);
    }
    SECTION("float16 halves the size and stays close to the golden outputs") {
        auto f32 = write_model(model, Dtype::f32);
        auto f16 = write_model(model, Dtype::f16);
        REQUIRE(f16.ok());
        CHECK(f16.value().size() < f32.value().size() * 0.6);
        auto parsed = parse_model(f16.value().data(), f16.value().size());
        REQUIRE(parsed.ok());
        std::vector<float> y(g.y.size());
        nn::Workspace ws;
        REQUIRE(parsed.value().net.forward(g.x.data(), g.stock_ids.data(), g.batch, y.data(), ws).ok());
        for (std::size_t i = 0; i < y.size(); ++i) CHECK(y[i] == Approx(g.y[i]).margin(0.05));
    }
}

TEST_CASE("every hostile model file is rejected with its specific code", "[format][hostile]") {
    const Json cases = testing::load_json("tests/hostile/cases.json");
    REQUIRE(cases.size() >= 15);
    std::size_t rejected = 0;
    for (const auto& c : cases) {
        const std::string file = c["file"].get<std::string>();
        const std::string expected = c["code"].get<std::string>();
        INFO(file);
        const auto bytes = testing::file_bytes("tests/hostile/" + file);
        if (c.contains("model")) {  // "factor": a classical model, read by the factor reader
            auto factor = parse_factor_model(bytes.data(), bytes.size());
            if (expected == "ok") {
                CHECK(factor.ok());
                // …and never by the LSTM reader (a typed error, not a crash).
                auto as_lstm = parse_model(bytes.data(), bytes.size());
                REQUIRE_FALSE(as_lstm.ok());
                CHECK(std::string(code_name(as_lstm.error().code)) == "unknown_architecture");
                continue;
            }
            REQUIRE_FALSE(factor.ok());
            INFO(factor.error().message);
            CHECK(std::string(code_name(factor.error().code)) == expected);
            CHECK_FALSE(factor.error().message.empty());
            ++rejected;
            continue;
        }
        auto parsed = parse_model(bytes.data(), bytes.size());
        if (expected == "ok") {
            CHECK(parsed.ok());
            continue;
        }
        REQUIRE_FALSE(parsed.ok());
        INFO(parsed.error().message);
        CHECK(std::string(code_name(parsed.error().code)) == expected);
        CHECK_FALSE(parsed.error().message.empty());
        ++rejected;
    }
    CHECK(rejected >= 15);
}

TEST_CASE("random corruption never crashes the parser", "[format][hostile]") {
    const auto valid = testing::file_bytes("tests/hostile/valid.stkm");
    std::mt19937 rng(42);
    int accepted = 0;
    for (int trial = 0; trial < 300; ++trial) {
        auto bytes = valid;
        const int flips = 1 + static_cast<int>(rng() % 4);
        for (int f = 0; f < flips; ++f) bytes[rng() % (bytes.size() - 32)] = static_cast<std::uint8_t>(rng());
        const Sha256Digest d = sha256(bytes.data(), bytes.size() - 32);  // rehash: reach the deeper checks
        std::memcpy(bytes.data() + bytes.size() - 32, d.data(), 32);
        auto parsed = parse_model(bytes.data(), bytes.size());
        if (parsed.ok()) ++accepted;
        else CHECK_FALSE(parsed.error().message.empty());
    }
    CHECK(accepted < 300);  // flips inside padding may be harmless; most must not be
}

TEST_CASE("the committed golden model files reproduce PyTorch", "[format][golden]") {
    for (const char* name : {"nn_stock_specific", "nn_general"}) {
        INFO(name);
        const testing::Golden g = testing::load_golden(std::string(name) + ".json");
        const auto bytes = testing::file_bytes(std::string("tests/golden/") + name + ".stkm");
        auto parsed = parse_model(bytes.data(), bytes.size());
        REQUIRE(parsed.ok());
        std::vector<float> y(g.y.size());
        nn::Workspace ws;
        REQUIRE(parsed.value().net.forward(g.x.data(), g.stock_ids.empty() ? nullptr : g.stock_ids.data(), g.batch, y.data(), ws).ok());
        for (std::size_t i = 0; i < y.size(); ++i) CHECK(std::fabs(y[i] - g.y[i]) <= 1e-5);
    }
}

TEST_CASE("the header JSON is parsed strictly", "[format][hostile]") {
    const auto valid = testing::file_bytes("tests/hostile/valid.stkm");
    auto header = read_model_header(valid.data(), valid.size());
    REQUIRE(header.ok());
    const std::string text = json_dump(header.value());
    const std::size_t data_start = (24 + text.size() + 63) / 64 * 64;
    const std::vector<std::uint8_t> data(valid.begin() + static_cast<std::ptrdiff_t>(data_start), valid.end() - 32);
    // A valid file around any header text (assemble_model_file only takes a Json value).
    auto parse_with = [&data](const std::string& header_text) {
        const std::size_t start = (24 + header_text.size() + 63) / 64 * 64;
        std::vector<std::uint8_t> file(start + data.size() + 32, 0);
        std::memcpy(file.data(), kModelMagic, sizeof kModelMagic);
        file[8] = kModelFormatVersion;
        for (int i = 0; i < 4; ++i) file[12 + i] = static_cast<std::uint8_t>(header_text.size() >> (8 * i));
        for (int i = 0; i < 8; ++i) file[16 + i] = static_cast<std::uint8_t>(std::uint64_t{data.size()} >> (8 * i));
        std::memcpy(file.data() + 24, header_text.data(), header_text.size());
        std::memcpy(file.data() + start, data.data(), data.size());
        const Sha256Digest d = sha256(file.data(), file.size() - 32);
        std::memcpy(file.data() + file.size() - 32, d.data(), 32);
        return parse_model(file.data(), file.size());
    };
    REQUIRE(parse_with(text).ok());
    // A second "format" member makes the header ambiguous: malformed.
    auto dup = parse_with("{\"format\":\"onnx\"," + text.substr(1));
    REQUIRE_FALSE(dup.ok());
    CHECK(dup.error().code == ErrorCode::bad_header);
    CHECK(dup.error().message == "header: JSON: duplicate key \"format\"");
    // A number no double holds is malformed, not infinity.
    std::string huge = text;
    const std::size_t dropout = huge.find("\"dropout\":") + 10;
    huge.replace(dropout, huge.find(',', dropout) - dropout, "1e999");
    auto inf = parse_with(huge);
    REQUIRE_FALSE(inf.ok());
    CHECK(inf.error().code == ErrorCode::bad_header);
    CHECK(inf.error().message == "header: JSON: syntax error at byte " + std::to_string(dropout + 4) + ": number overflow parsing '1e999'");
    // A float32 field beyond its range would become infinite.
    Json edited = header.value();
    edited["input"]["scale"] = {1e39};
    const auto file = assemble_model_file(edited, data);
    auto big = parse_model(file.data(), file.size());
    REQUIRE_FALSE(big.ok());
    CHECK(big.error().code == ErrorCode::non_finite);
    CHECK(big.error().message == "header.input.scale[0]: not finite as float32");
}

TEST_CASE("re-writing a shipped model gives the same bytes (so its SHA-256 stays valid)", "[format]") {
    for (const char* file : {"models/SCOM.stkm", "models/general.stkm", "tests/golden/nn_general.stkm"}) {
        INFO(file);
        const auto bytes = testing::file_bytes(file);
        auto model = parse_model(bytes.data(), bytes.size());
        REQUIRE(model.ok());
        auto header = read_model_header(bytes.data(), bytes.size());
        REQUIRE(header.ok());
        const Json* first = json_find(header.value(), "tensors");
        REQUIRE((first && first->is_array() && !first->empty()));
        const Json* dtype = json_find((*first)[0], "dtype");
        REQUIRE((dtype && dtype->is_string()));
        auto written = write_model(model.value(), *dtype == "f16" ? Dtype::f16 : Dtype::f32, false);
        REQUIRE(written.ok());
        CHECK(written.value() == bytes);
    }
}
