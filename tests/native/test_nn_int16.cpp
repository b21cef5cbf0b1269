// The integer kernel (int16 weights per output column and int16 activations, int32 sums) against
// the float kernel. Natively the kernel is plain loops with the same integer sums as the WASM
// SIMD one (i32x4.dot_i16x8_s): integer sums are exact in any order, so what is checked here is
// the arithmetic both builds run (tests/node/int16.test.mjs checks the WASM build itself).
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <iterator>

#include "stockcast/loaded_model.hpp"
#include "stockcast/nn.hpp"
#include "test_support.hpp"

using namespace stockcast;

namespace {

using testing::max_abs_diff;
using testing::run;

nn::Network quantized(nn::Network net) {
    net.quantize();
    REQUIRE(net.kernel() == nn::Kernel::int16);
    return net;
}

}  // namespace

TEST_CASE("int16 kernel: golden outputs within 1e-3 of PyTorch", "[nn][int16][golden]") {
    for (const char* name : {"nn_stock_specific.json", "nn_general.json"}) {
        INFO(name);
        const testing::Golden g = testing::load_golden(name);
        const nn::Network q = quantized(g.net);
        const double d = max_abs_diff(run(q, g.x, g.stock_ids, g.batch), g.y);
        CHECK(d <= 1e-3);
        CHECK(d > 1e-7);  // it is another arithmetic, not the float path under another name
        WARN(name << ": int16 max |Δ| " << d);
    }
}

TEST_CASE("int16 kernel: the tolerance still catches swapped gates and reversed time", "[nn][int16][golden]") {
    const testing::Golden g = testing::load_golden("nn_stock_specific.json");
    nn::Network swapped = g.net;
    for (auto* m : {&swapped.lstm[1].kernel, &swapped.lstm[1].recurrent}) {
        const int u = static_cast<int>(m->cols()) / 4;
        m->middleCols(0, u).swap(m->middleCols(u, u));  // i <-> f in the layer whose products are all integer
    }
    CHECK(max_abs_diff(run(quantized(swapped), g.x, g.stock_ids, g.batch), g.y) > 1e-2);
    std::vector<float> reversed = g.x;
    const int T = g.net.arch.window;
    for (int b = 0; b < g.batch; ++b) std::reverse(reversed.begin() + b * T, reversed.begin() + (b + 1) * T);
    CHECK(max_abs_diff(run(quantized(g.net), reversed, g.stock_ids, g.batch), g.y) > 1e-2);
}

TEST_CASE("int16 kernel: a batch gives each window's outputs", "[nn][int16]") {
    // The integer sums are exact; natively Eigen's float products (first layer's input, the head)
    // may round differently by batch size, hence the margin (bit for bit in WASM: int16.test.mjs).
    const testing::Golden g = testing::load_golden("nn_general.json");
    const nn::Network q = quantized(g.net);
    const std::vector<float> batched = run(q, g.x, g.stock_ids, g.batch);
    const int per = g.net.arch.window * g.net.arch.features, H = g.net.arch.outputs;
    for (int b = 0; b < g.batch; ++b) {
        const std::vector<float> one = run(q, std::vector<float>(g.x.begin() + b * per, g.x.begin() + (b + 1) * per), {g.stock_ids[b]}, 1);
        for (int o = 0; o < H; ++o) CHECK(one[o] == Approx(batched[b * H + o]).margin(1e-6));
    }
}

TEST_CASE("int16 kernel: no int32 overflow at the worst case", "[nn][int16]") {
    // Every weight +3 and large inputs saturate every h at ±1 with one sign: each recurrent sum
    // is then as large as a column allows. Scaling weights by 32767 / max|w| alone would put
    // 50 · 8192 · 32767 ≈ 1.3e10 into an int32 sum; the per-column budget must prevent that.
    nn::Architecture arch;
    arch.window = 20;
    nn::Network net = nn::Network::zeros(arch);
    for (auto& layer : net.lstm) {
        layer.kernel.setConstant(3.0f);
        layer.recurrent.setConstant(3.0f);
        layer.bias.setConstant(0.5f);
    }
    net.dense1.kernel.setConstant(0.1f);
    net.dense2.kernel.setConstant(0.1f);
    for (float sign : {1.0f, -1.0f}) {
        std::vector<float> x(arch.window, 5.0f * sign);
        const std::vector<float> y = run(net, x, {}, 1);
        const std::vector<float> yq = run(quantized(net), x, {}, 1);
        CHECK(max_abs_diff(y, yq) <= 1e-3);
    }
}

TEST_CASE("int16 kernel: chosen per model, checked on its test vector", "[nn][int16]") {
    std::ifstream in(std::string(STOCKCAST_SOURCE_DIR) + "/tests/golden/nn_stock_specific.stkm", std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    REQUIRE(!bytes.empty());
    LoadedModel m(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(), true);
    REQUIRE(m.error() == nullptr);
    CHECK(m.kernel() == nn::Kernel::float32);
    const std::vector<float> x(60, 0.01f);
    const std::vector<float> y = *m.forward(x, {}, 1).value();
    auto k = m.use_kernel(nn::Kernel::int16);
    REQUIRE(k.ok());
    CHECK(k.value() == nn::Kernel::int16);
    const std::vector<float> yq = *m.forward(x, {}, 1).value();
    CHECK(max_abs_diff(y, yq) <= 1e-3);
    CHECK(m.use_kernel(nn::Kernel::float32).value() == nn::Kernel::float32);
    CHECK(*m.forward(x, {}, 1).value() == y);  // the float weights were never touched

    CHECK(nn::kernel_named("int16").value() == nn::Kernel::int16);
    CHECK(nn::kernel_named("int8").error().code == ErrorCode::invalid_input);
}
