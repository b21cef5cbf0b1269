// Training: gradient checks per layer and for the whole network, loss decreases, training
// forward == inference forward, and a tiny end-to-end run on real prices.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <random>

#include "stockcast/model.hpp"
#include "stockcast/nn.hpp"
#include "stockcast/train.hpp"

using namespace stockcast;

namespace {

nn::Architecture small_arch(bool embedding, int features = 2) {
    nn::Architecture a;
    a.window = 6;
    a.features = features;
    a.lstm_units = {5, 4};
    a.dense_units = 6;
    a.outputs = 3;
    if (embedding) {
        a.embedding_count = 4;
        a.embedding_dim = 3;
    }
    return a;
}

train::Dataset random_dataset(const nn::Architecture& a, int n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> N(0, 1);
    train::Dataset d;
    d.window = a.window;
    d.features = a.features;
    d.outputs = a.outputs;
    for (int i = 0; i < n * a.window * a.features; ++i) d.x.push_back(static_cast<float>(N(rng)));
    for (int i = 0; i < n * a.outputs; ++i) d.y.push_back(static_cast<float>(N(rng)));
    if (a.has_embedding())
        for (int i = 0; i < n; ++i) d.stock.push_back(i % (a.embedding_count + 1) - 1);  // includes -1 (neutral)
    return d;
}

// Larger weights than the default initialiser so every path carries a visible gradient.
nn::Network spread_weights(const nn::Architecture& a, std::uint64_t seed) {
    nn::Network net = train::init_network(a, seed);
    std::mt19937_64 rng(seed + 7);
    std::uniform_real_distribution<double> U(-0.6, 0.6);
    for (auto& t : net.tensors()) {
        std::size_t count = 1;
        for (int s : t.shape) count *= static_cast<std::size_t>(s);
        for (std::size_t k = 0; k < count; ++k) t.data[k] = static_cast<float>(U(rng));
    }
    return net;
}

}  // namespace

TEST_CASE("gradient check: every layer and the whole stock-specific network", "[train]") {
    const auto a = small_arch(false);
    const nn::Network net = spread_weights(a, 3);
    const auto d = random_dataset(a, 5, 11);
    for (double delta : {0.0, 1.0}) {  // MSE and Huber
        auto r = train::gradient_check(net, d, delta);
        REQUIRE(r.ok());
        REQUIRE(r.value().size() == 11);  // 2 x 3 LSTM tensors + 4 dense + "all"
        for (const auto& e : r.value()) {
            INFO(e.tensor << " delta " << delta << " rel err " << e.max_rel_error << " abs " << e.max_abs_error << " max grad " << e.max_abs_gradient);
            CHECK(e.checked > 0);
            // error relative to the tensor's gradient scale (entry-wise relative errors of
            // near-zero entries are dominated by the ~1e-10 rounding noise of the difference)
            CHECK(e.max_abs_error <= 1e-5 * e.max_abs_gradient + 1e-9);
            CHECK(e.max_abs_gradient > 1e-4);
        }
    }
}

TEST_CASE("gradient check: embedding and general network (incl. neutral id)", "[train]") {
    const auto a = small_arch(true, 1);
    const nn::Network net = spread_weights(a, 5);
    const auto d = random_dataset(a, 7, 13);
    auto r = train::gradient_check(net, d, 1.0);
    REQUIRE(r.ok());
    bool saw_embedding = false;
    for (const auto& e : r.value()) {
        INFO(e.tensor << " rel err " << e.max_rel_error << " abs " << e.max_abs_error << " max grad " << e.max_abs_gradient);
        CHECK(e.max_abs_error <= 1e-5 * e.max_abs_gradient + 1e-9);
        CHECK(e.max_abs_gradient > 1e-4);
        saw_embedding |= e.tensor == "embedding.embeddings";
    }
    CHECK(saw_embedding);
    CHECK(r.value().back().tensor == "all");
}

TEST_CASE("training forward equals nn::Network::forward", "[train]") {
    for (bool emb : {false, true}) {
        nn::Architecture a = small_arch(emb);
        a.window = 20;
        a.lstm_units = {50, 40};
        a.dense_units = 25;
        a.outputs = 4;
        if (emb) {
            a.embedding_count = 7;
            a.embedding_dim = 10;
        }
        const nn::Network net = spread_weights(a, 9);
        const auto d = random_dataset(a, 9, 21);
        auto p = train::predict(net, d);
        REQUIRE(p.ok());
        std::vector<float> ref(p.value().size());
        nn::Workspace ws;
        REQUIRE(net.forward(d.x.data(), emb ? d.stock.data() : nullptr, static_cast<int>(d.size()), ref.data(), ws).ok());
        for (std::size_t k = 0; k < ref.size(); ++k) {
            INFO("embedding " << emb << " output " << k);
            CHECK(std::abs(p.value()[k] - ref[k]) <= 1e-5f * std::max(1.0f, std::abs(ref[k])));
        }
    }
}

TEST_CASE("a small training run lowers the loss and is reproducible", "[train]") {
    nn::Architecture a = small_arch(true, 1);
    a.window = 10;
    // learnable synthetic task: target = mean of the window (+ stock offset)
    std::mt19937_64 rng(4);
    std::normal_distribution<double> N(0, 1);
    train::Dataset d;
    d.window = a.window;
    d.features = 1;
    d.outputs = a.outputs;
    for (int i = 0; i < 256; ++i) {
        double s = 0;
        for (int t = 0; t < a.window; ++t) {
            const double v = N(rng);
            d.x.push_back(static_cast<float>(v));
            s += v;
        }
        const int id = i % a.embedding_count;
        d.stock.push_back(id);
        for (int h = 0; h < a.outputs; ++h) d.y.push_back(static_cast<float>(s / a.window * (h + 1) + 0.3 * id));
    }
    train::TrainOptions o;
    o.max_epochs = 15;
    o.patience = 15;
    o.batch = 32;
    o.learning_rate = 0.01;
    o.dropout = 0.0;
    nn::Network net = train::init_network(a, 1);
    const double before = train::evaluate_loss(net, d, o.huber_delta).value();
    auto rep = train::fit(net, d, d, o);
    REQUIRE(rep.ok());
    const double after = train::evaluate_loss(net, d, o.huber_delta).value();
    CHECK(after < 0.5 * before);
    CHECK(rep.value().best_val_loss == Approx(after).epsilon(1e-4));

    nn::Network net2 = train::init_network(a, 1);
    REQUIRE(train::fit(net2, d, d, o).ok());
    CHECK(train::evaluate_loss(net2, d, o.huber_delta).value() == after);  // same seed, same result
}

TEST_CASE("fit rejects mismatched datasets", "[train]") {
    const auto a = small_arch(false);
    nn::Network net = train::init_network(a, 1);
    auto d = random_dataset(a, 4, 1);
    d.x.pop_back();
    auto r = train::fit(net, d, d, {});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::invalid_input);
}

TEST_CASE("conformal bounds use the finite-sample quantile rule", "[train]") {
    std::vector<double> res;
    for (int i = 1; i <= 99; ++i) res.push_back(i);  // 1..99
    auto [lo, hi] = train::conformal_bounds(res, {0.8, 0.9});
    // n = 99: upper 0.9 level -> ceil(100 * 0.95) = 95th smallest; lower -> floor(100 * 0.05) = 5th
    CHECK(hi[1] == 95);
    CHECK(lo[1] == 5);
    CHECK(hi[0] == 90);
    CHECK(lo[0] == 10);
}

TEST_CASE("tiny end-to-end training on real prices writes a loadable model", "[train]") {
    train::PipelineConfig cfg;
    cfg.data_dir = std::string(STOCKCAST_SOURCE_DIR) + "/models/data/nse";
    cfg.symbols = {"SCOM", "KCB"};
    cfg.general = true;
    cfg.embedding_dim = 3;
    cfg.window = 20;
    cfg.lstm_units = {8, 6};
    cfg.dense_units = 5;
    cfg.max_train_windows = 300;
    cfg.val_from = "2019-07-01";
    cfg.options.max_epochs = 2;
    cfg.options.batch = 64;
    cfg.trained_at = "2026-01-01";
    auto r = train::train_model(cfg);
    REQUIRE(r.ok());
    const auto& res = r.value();
    CHECK(res.train_windows == 300);
    CHECK(res.val_windows > 300);
    CHECK(res.model.meta.stocks == std::vector<std::string>{"SCOM", "KCB"});
    CHECK(res.model.meta.data_to < "2020-07-01");  // nothing from the test year
    CHECK(res.model.intervals.lower.size() == 4);
    for (std::size_t h = 0; h < 4; ++h) {
        CHECK(res.model.intervals.lower[h][1] < 0);
        CHECK(res.model.intervals.upper[h][1] > 0);
        CHECK(res.model.intervals.lower[h][2] <= res.model.intervals.lower[h][1]);
        CHECK(res.model.intervals.upper[h][2] >= res.model.intervals.upper[h][1]);
        CHECK(res.model.output.scale[h] >= 0);
    }
    auto bytes = write_model(res.model, Dtype::f16);
    REQUIRE(bytes.ok());
    auto parsed = parse_model(bytes.value().data(), bytes.value().size());
    INFO((parsed.ok() ? std::string() : parsed.error().message));
    REQUIRE(parsed.ok());
    CHECK(parsed.value().meta.kind == "general");
    CHECK(parsed.value().input.features == cfg.features);
    // Same inputs and seed, same bytes (the cluster driver's cache and its tests rely on it).
    auto again = train::train_model(cfg);
    REQUIRE(again.ok());
    auto bytes2 = write_model(again.value().model, Dtype::f16);
    REQUIRE(bytes2.ok());
    CHECK(bytes2.value() == bytes.value());
}

TEST_CASE("training refuses a split that leaves no validation windows", "[train]") {
    train::PipelineConfig cfg;
    cfg.data_dir = std::string(STOCKCAST_SOURCE_DIR) + "/models/data/nse";
    cfg.symbols = {"SCOM"};
    cfg.val_from = "2020-06-20";
    cfg.test_from = "2020-07-01";
    auto r = train::train_model(cfg);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::insufficient_history);
}
