#include <catch2/catch.hpp>
#include <cmath>

#include "stockcast/nn.hpp"
#include "test_support.hpp"

using namespace stockcast;

using testing::max_abs_diff;
using testing::run;

TEST_CASE("forward pass matches PyTorch within 1e-5", "[nn][golden]") {
    for (const char* name : {"nn_stock_specific.json", "nn_general.json"}) {
        INFO(name);
        const testing::Golden g = testing::load_golden(name);
        REQUIRE(g.batch > 0);
        CHECK(max_abs_diff(run(g.net, g), g.y) <= 1e-5);
    }
}

TEST_CASE("batched forward equals one window at a time", "[nn]") {
    const testing::Golden g = testing::load_golden("nn_general.json");
    const std::vector<float> batched = run(g.net, g);
    const int per = g.net.arch.window * g.net.arch.features;
    nn::Workspace ws;
    for (int b = 0; b < g.batch; ++b) {
        std::vector<float> y(static_cast<std::size_t>(g.net.arch.outputs));
        REQUIRE(g.net.forward(g.x.data() + b * per, &g.stock_ids[b], 1, y.data(), ws).ok());
        for (int o = 0; o < g.net.arch.outputs; ++o) CHECK(y[o] == Approx(batched[b * g.net.arch.outputs + o]).margin(1e-6));
    }
}

TEST_CASE("the golden weights discriminate gate order and time order", "[nn][golden]") {
    // If these perturbations stayed within tolerance, the parity test could not catch them.
    const testing::Golden g = testing::load_golden("nn_stock_specific.json");
    nn::Network swapped = g.net;
    for (auto* m : {&swapped.lstm[0].kernel, &swapped.lstm[0].recurrent}) {
        const int u = static_cast<int>(m->cols()) / 4;
        m->middleCols(0, u).swap(m->middleCols(u, u));  // i <-> f
    }
    swapped.lstm[0].bias.segment(0, 50).swap(swapped.lstm[0].bias.segment(50, 50));
    CHECK(max_abs_diff(run(swapped, g), g.y) > 1e-2);

    testing::Golden reversed = g;
    const int T = g.net.arch.window;
    for (int b = 0; b < g.batch; ++b) std::reverse(reversed.x.begin() + b * T, reversed.x.begin() + (b + 1) * T);
    CHECK(max_abs_diff(run(g.net, reversed), g.y) > 1e-2);
}

TEST_CASE("forward rejects bad arguments with typed errors", "[nn]") {
    const testing::Golden g = testing::load_golden("nn_general.json");
    nn::Workspace ws;
    std::vector<float> y(64);
    std::vector<float> x(g.x.begin(), g.x.begin() + 60);
    int id = 0;
    CHECK(g.net.forward(x.data(), &id, 0, y.data(), ws).error().code == ErrorCode::invalid_input);
    CHECK(g.net.forward(x.data(), nullptr, 1, y.data(), ws).error().code == ErrorCode::invalid_input);
    id = 66;
    CHECK(g.net.forward(x.data(), &id, 1, y.data(), ws).error().code == ErrorCode::invalid_input);
    id = -2;
    CHECK(g.net.forward(x.data(), &id, 1, y.data(), ws).error().code == ErrorCode::invalid_input);
    id = 0;
    x[7] = std::nanf("");
    CHECK(g.net.forward(x.data(), &id, 1, y.data(), ws).error().code == ErrorCode::invalid_input);
}

TEST_CASE("architecture caps are enforced before allocation", "[nn]") {
    nn::Architecture a;
    a.lstm_units = {nn::kMaxUnits + 1};
    CHECK(a.validate().error().code == ErrorCode::dimension_too_large);
    a = nn::Architecture{};
    a.window = 0;
    CHECK(a.validate().error().code == ErrorCode::bad_header);
    a = nn::Architecture{};
    a.lstm_units = {};
    CHECK(!a.validate().ok());
}
