// Factor models: golden parity with scikit-learn (tests/golden/factors.json, written by
// scripts/train_factors.py from the shipped files' estimators), the input checks of
// predict_factors, the factor features, the writer/reader round trip and random corruption.
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <iterator>
#include <random>

#include "stockcast/factor_features.hpp"
#include "stockcast/factor_model.hpp"
#include "test_support.hpp"

using namespace stockcast;

namespace {

std::vector<std::uint8_t> read_file(const std::string& relative) {
    std::ifstream in(testing::source_path(relative), std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

FactorModel load(const std::string& relative) {
    const auto bytes = read_file(relative);
    auto m = parse_factor_model(bytes.data(), bytes.size());
    INFO(relative << ": " << (m ? "" : m.error().message));
    REQUIRE(m.ok());
    return m.value();
}

struct Parity {
    double max_rel = 0, max_abs = 0;
    int exact = 0, n = 0;
};

Parity compare(const FactorModel& m, const Json& x, const Json& y) {
    Parity p;
    std::vector<double> scratch;
    for (std::size_t r = 0; r < x.size(); ++r) {
        const std::vector<double> row = x[r].get<std::vector<double>>();
        const double got = evaluate_factor_model(m, row.data(), scratch), want = y[r].get<double>();
        const double abs = std::fabs(got - want);
        p.max_abs = std::max(p.max_abs, abs);
        p.max_rel = std::max(p.max_rel, abs / std::max(std::fabs(want), 1e-300));
        p.exact += got == want;
        ++p.n;
    }
    return p;
}

}  // namespace

TEST_CASE("factor models equal scikit-learn on 1,000 held-out rows (trees exactly)", "[factors][golden]") {
    const Json golden = testing::load_json("tests/golden/factors.json");
    REQUIRE(golden.is_object());
    const Json& x = golden["x"];
    REQUIRE(x.size() == 1000);
    int models = 0;
    for (const auto& [name, g] : golden["models"].items()) {
        const FactorModel m = load(g["file"].get<std::string>());
        const Parity p = compare(m, x, g["y"]);
        INFO(name << ": max relative difference " << p.max_rel << ", max absolute " << p.max_abs << ", exact " << p.exact << "/" << p.n);
        if (is_tree_kind(m.kind)) CHECK(p.exact == p.n);
        CHECK(p.max_rel <= 1e-6);
        ++models;
    }
    CHECK(models == 22);
}

TEST_CASE("the parity tolerance discriminates: the mistakes it guards against move outputs far beyond it", "[factors][golden]") {
    const Json golden = testing::load_json("tests/golden/factors.json");
    REQUIRE(golden.is_object());
    const Json& x = golden["x"];
    for (const auto& [name, g] : golden["models"].items()) {
        FactorModel m = load(g["file"].get<std::string>());
        INFO(name);
        if (m.kind == FactorKind::mlp) {
            // The first kernel read as [out, in] instead of scikit-learn's [in, out].
            DenseLayer& l = m.layers[0];
            std::vector<double> t(l.kernel.size());
            for (int i = 0; i < l.in; ++i)
                for (int j = 0; j < l.out; ++j) t[static_cast<std::size_t>(i * l.out + j)] = l.kernel[static_cast<std::size_t>(j * l.in + i) % l.kernel.size()];
            l.kernel = t;
        } else if (m.kind == FactorKind::svr || m.kind == FactorKind::linear || m.kind == FactorKind::logistic) {
            m.scaler_mean.clear();  // the scaler forgotten
            m.scaler_scale.clear();
        } else if (m.kind == FactorKind::gradient_boosting) {
            m.trees.learning_rate = 1.0;  // the learning rate forgotten
        } else {
            // Trees: the comparison in double instead of float32 flips rows near a threshold; the
            // larger mistake, a sum instead of the mean, is what this guards.
            m.kind = FactorKind::gradient_boosting;
            m.trees.learning_rate = 1.0;
            m.trees.init = 0.0;
        }
        const Parity p = compare(m, x, g["y"]);
        CHECK(p.max_rel > 1e-3);
    }
}

TEST_CASE("predict_factors checks length, finiteness and range, or clamps", "[factors]") {
    const FactorModel m = load("tests/hostile/factor_valid_logistic.stkm");
    std::vector<double> scratch;
    auto short_row = predict_factors(m, {0.5, 0.02}, false, scratch);
    REQUIRE_FALSE(short_row.ok());
    CHECK(short_row.error().code == ErrorCode::invalid_input);
    CHECK(short_row.error().field == "features");

    auto nan_row = predict_factors(m, {std::nan(""), 0.02, 0.0}, false, scratch);
    REQUIRE_FALSE(nan_row.ok());
    CHECK(nan_row.error().field == "features.clv");

    auto far = predict_factors(m, {0.5, 0.9, 0.0}, false, scratch);
    REQUIRE_FALSE(far.ok());
    CHECK(far.error().code == ErrorCode::out_of_range);
    CHECK(std::string(code_category(far.error().code)) == "out_of_range");
    CHECK(far.error().field == "features.range_rel");
    CHECK(far.error().value == 0.9);
    CHECK(far.error().min == m.min[1]);
    CHECK(far.error().max == m.max[1]);

    auto clamped = predict_factors(m, {0.5, 0.9, 0.0}, true, scratch);
    REQUIRE(clamped.ok());
    REQUIRE(clamped.value().clamped.size() == 1);
    CHECK(clamped.value().clamped[0].field == "features.range_rel");
    auto at_max = predict_factors(m, {0.5, m.max[1], 0.0}, false, scratch);
    REQUIRE(at_max.ok());
    CHECK(clamped.value().value == at_max.value().value);
    CHECK(clamped.value().probabilities.size() == 2);
    CHECK(clamped.value().probabilities[0] + clamped.value().probabilities[1] == Approx(1.0));
    CHECK((clamped.value().label == "normal_range" || clamped.value().label == "high_range"));
}

TEST_CASE("factor features follow their documented definitions", "[factors][features]") {
    // 25 synthetic bars: close rises 1 % a day, high = close + 1, low = close - 1, volume 100..124.
    std::vector<double> close, high, low, volume;
    for (int i = 0; i < 25; ++i) {
        close.push_back(100.0 * std::pow(1.01, i));
        high.push_back(close.back() + 1.0);
        low.push_back(close.back() - 1.0);
        volume.push_back(100.0 + i);
    }
    const OhlcvView v{high.data(), low.data(), close.data(), volume.data(), close.size()};
    auto f = latest_factor_features(v, factor_feature_names());
    REQUIRE(f.ok());
    const auto& x = f.value();
    CHECK(x[0] == Approx(0.5));                                   // clv
    double mean = 0;
    for (int i = 5; i < 25; ++i) mean += volume[static_cast<std::size_t>(i)] / 20.0;
    CHECK(x[1] == Approx(std::log(125.0 / (1.0 + mean))));         // log_volume_rel_20
    CHECK(x[2] == Approx(2.0 / close.back()));                     // range_rel
    CHECK(x[3] == Approx(std::log(1.01)));                         // ret_1
    CHECK(x[4] == Approx(5 * std::log(1.01)));                     // ret_5
    CHECK(x[5] == Approx(20 * std::log(1.01)));                    // ret_20
    CHECK(x[6] == Approx(100.0));                                  // rsi_14: only up moves
    CHECK(x[7] == Approx(0.0).margin(1e-9));                       // vol_20: constant returns

    const OhlcvView short_view{high.data(), low.data(), close.data(), volume.data(), 20};
    auto too_short = latest_factor_features(short_view, factor_feature_names());
    REQUIRE_FALSE(too_short.ok());
    CHECK(too_short.error().code == ErrorCode::insufficient_history);
    CHECK(too_short.error().required == 21);
    CHECK(too_short.error().provided == 20);
    CHECK(latest_factor_features(short_view, {"clv", "ret_1"}).ok());  // features needing fewer rows

    close[24] = -1;
    auto bad = latest_factor_features(v, {"ret_1"});
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().field == "history.close");
}

TEST_CASE("the factor writer and reader round-trip every kind", "[factors][format]") {
    for (const char* kind : {"linear", "logistic", "random_forest", "extra_trees", "gradient_boosting", "svr", "mlp"}) {
        INFO(kind);
        const FactorModel m = load(std::string("tests/hostile/factor_valid_") + kind + ".stkm");
        auto again = write_factor_model(m, false);
        REQUIRE(again.ok());
        const auto original = read_file(std::string("tests/hostile/factor_valid_") + kind + ".stkm");
        CHECK(again.value() == original);  // one writer, deterministic bytes
    }
}

TEST_CASE("random corruption never crashes the factor reader", "[factors][hostile]") {
    std::mt19937 rng(5);
    for (const char* kind : {"gradient_boosting", "svr", "mlp", "linear"}) {
        const auto valid = read_file(std::string("tests/hostile/factor_valid_") + kind + ".stkm");
        for (int trial = 0; trial < 300; ++trial) {
            auto bytes = valid;
            const int flips = 1 + static_cast<int>(rng() % 8);
            for (int k = 0; k < flips; ++k) bytes[rng() % bytes.size()] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
            auto parsed = parse_factor_model(bytes.data(), bytes.size(), FactorParseOptions{false, true});
            if (!parsed.ok()) CHECK_FALSE(parsed.error().message.empty());
        }
    }
}
