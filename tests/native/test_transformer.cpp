// The Transformer predictor (transformer.hpp): parity with torch.nn.TransformerEncoderLayer
// (scripts/golden_transformer.py), the perturbations that parity must catch, and the model file.
#include <catch2/catch.hpp>
#include <cmath>

#include "stockcast/model.hpp"
#include "stockcast/transformer.hpp"
#include "test_support.hpp"

using namespace stockcast;

using testing::max_abs_diff;
using testing::run;

TEST_CASE("transformer forward matches PyTorch TransformerEncoderLayer within 1e-5", "[transformer][golden]") {
    const testing::Golden g = testing::load_golden("transformer.json");
    REQUIRE(g.net.arch.is_transformer());
    REQUIRE(g.batch == 5);
    CHECK(max_abs_diff(run(g.net, g), g.y) <= 1e-5);
}

TEST_CASE("the transformer golden weights discriminate head order and positional encoding", "[transformer][golden]") {
    // If these mistakes stayed within the tolerance, the parity test could not catch them.
    const testing::Golden g = testing::load_golden("transformer.json");
    const int d = g.net.arch.d_model, dh = d / g.net.arch.heads;
    // Heads 0 and 1 swapped in q, k and v of the first layer (out_proj unchanged): what reading a
    // head's slice from the wrong columns would do.
    nn::Network swapped = g.net;
    nn::EncoderLayer& L = swapped.encoder[0];
    for (int part = 0; part < 3; ++part) {
        L.in_proj.middleCols(part * d, dh).swap(L.in_proj.middleCols(part * d + dh, dh));
        L.in_proj_bias.segment(part * d, dh).swap(L.in_proj_bias.segment(part * d + dh, dh));
    }
    CHECK(max_abs_diff(run(swapped, g), g.y) > 1e-2);

    nn::Network no_pe = g.net;
    no_pe.positional.setZero();
    CHECK(max_abs_diff(run(no_pe, g), g.y) > 1e-2);

    // Positional encoding indexed from the other end of the window.
    nn::Network reversed_pe = g.net;
    reversed_pe.positional = g.net.positional.colwise().reverse();
    CHECK(max_abs_diff(run(reversed_pe, g), g.y) > 1e-2);
}

TEST_CASE("transformer: batched forward equals one window at a time", "[transformer]") {
    const testing::Golden g = testing::load_golden("transformer.json");
    const std::vector<float> batched = run(g.net, g);
    const int per = g.net.arch.window * g.net.arch.features;
    nn::Workspace ws;
    for (int b = 0; b < g.batch; ++b) {
        std::vector<float> y(static_cast<std::size_t>(g.net.arch.outputs));
        REQUIRE(g.net.forward(g.x.data() + b * per, nullptr, 1, y.data(), ws).ok());
        for (int o = 0; o < g.net.arch.outputs; ++o) CHECK(y[o] == Approx(batched[b * g.net.arch.outputs + o]).margin(1e-6));
    }
}

TEST_CASE("transformer forward rejects bad inputs with typed errors", "[transformer]") {
    const testing::Golden g = testing::load_golden("transformer.json");
    nn::Workspace ws;
    std::vector<float> x(g.x.begin(), g.x.begin() + 30), y(4);
    CHECK(g.net.forward(x.data(), nullptr, 0, y.data(), ws).error().code == ErrorCode::invalid_input);
    x[3] = std::nanf("");
    CHECK(g.net.forward(x.data(), nullptr, 1, y.data(), ws).error().code == ErrorCode::invalid_input);
}

TEST_CASE("transformer architecture checks", "[transformer]") {
    const testing::Golden g = testing::load_golden("transformer.json");
    nn::Architecture a = g.net.arch;
    REQUIRE(a.validate().ok());
    a.heads = 3;  // 64 % 3 != 0
    CHECK(a.validate().error().code == ErrorCode::bad_header);
    a = g.net.arch;
    a.d_model = nn::kMaxModelDim + 4;
    CHECK(a.validate().error().code == ErrorCode::dimension_too_large);
    a = g.net.arch;
    a.lstm_units = {8};
    CHECK(a.validate().error().code == ErrorCode::bad_header);
}

TEST_CASE("a transformer model file round-trips through the one writer and reader", "[transformer][format]") {
    const testing::Golden g = testing::load_golden("transformer.json");
    Model m = testing::make_model(g.net, "transformer");
    m.meta.kind = "transformer";
    for (Dtype dtype : {Dtype::f32, Dtype::f16}) {
        auto bytes = write_model(m, dtype);
        REQUIRE(bytes.ok());
        CHECK(bytes.value()[8] == 2);  // format version 2
        auto parsed = parse_model(bytes.value().data(), bytes.value().size());
        REQUIRE(parsed.ok());
        const Model& p = parsed.value();
        CHECK(p.net.arch.is_transformer());
        CHECK(p.net.arch.d_model == 64);
        CHECK(p.net.arch.heads == 4);
        CHECK(p.meta.kind == "transformer");
        const std::vector<float> y = run(p.net, g);
        CHECK(max_abs_diff(y, g.y) <= (dtype == Dtype::f32 ? 1e-5 : 0.5));
        const Json summary = model_summary(p);
        CHECK(summary["architecture"]["type"] == "transformer_v1");
    }
    // The f16 file of the shipped dimensions stays within the 128 KB.
    auto f16 = write_model(m, Dtype::f16);
    REQUIRE(f16.ok());
    CHECK(f16.value().size() <= 128u * 1024u);
}

TEST_CASE("the committed transformer golden model file reproduces PyTorch", "[transformer][format][golden]") {
    const testing::Golden g = testing::load_golden("transformer.json");
    const auto bytes = testing::file_bytes("tests/golden/transformer.stkm");
    auto parsed = parse_model(bytes.data(), bytes.size());
    REQUIRE(parsed.ok());
    CHECK(max_abs_diff(run(parsed.value().net, g), g.y) <= 1e-5);
}
