// Forecast formulas: price = close * exp(r), interval ordering, probabilities, batching, errors.
#include <catch2/catch.hpp>

#include "test_support.hpp"
#include <cmath>
#include <random>

#include "stockcast/forecast.hpp"
#include "stockcast/train.hpp"

using namespace stockcast;

namespace {
Model tiny_model(bool general) {
    nn::Architecture a;
    a.window = 8;
    a.features = 2;
    a.lstm_units = {6, 5};
    a.dense_units = 4;
    a.outputs = 4;
    if (general) {
        a.embedding_count = 3;
        a.embedding_dim = 2;
    }
    Model m;
    m.meta.kind = general ? "general" : "stock_specific";
    if (general) m.meta.stocks = {"AAA", "BBB", "CCC"};
    m.input.features = {"log_close_rel_last", "log_return"};
    m.input.scale = {10.0f, 50.0f};
    m.output.scale = {0.02f, 0.05f, 0.07f, 0.12f};
    m.net = train::init_network(a, 3);
    m.net.dense2.bias << 0.5f, -0.8f, 0.1f, 1.5f;  // visible outputs
    for (int h = 0; h < 4; ++h) {
        const double s = 0.02 * std::sqrt(double(m.output.horizons[h]));
        m.intervals.lower.push_back({-1.28 * s, -1.64 * s, -1.96 * s});
        m.intervals.upper.push_back({1.2 * s, 1.6 * s, 2.0 * s});
    }
    return m;
}
std::vector<double> walk(int n, double start, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> N(0, 0.02);
    std::vector<double> c{start};
    while (static_cast<int>(c.size()) < n) c.push_back(c.back() * std::exp(N(rng)));
    return c;
}
}  // namespace

TEST_CASE("forecast formulas", "[forecast]") {
    const Model m = tiny_model(false);
    const auto c = walk(40, 25.0, 1);
    const HistoryView h{c.data(), nullptr, c.size()};
    for (double level : {0.8, 0.9, 0.95}) {
        ForecastOptions o;
        o.level = level;
        auto f = forecast(m, -1, h, o);
        REQUIRE(f.ok());
        CHECK(f.value().last_close == c.back());
        REQUIRE(f.value().horizons.size() == 4);
        for (const auto& hf : f.value().horizons) {
            CHECK(hf.price == Approx(c.back() * std::exp(hf.log_return)));
            CHECK(hf.expected_return == Approx(std::exp(hf.log_return) - 1));
            CHECK(hf.lower < hf.price);
            CHECK(hf.price < hf.upper);
            CHECK(hf.level == level);
            CHECK(hf.p_bearish + hf.p_neutral + hf.p_bullish == Approx(1.0));
            CHECK(hf.p_bearish >= 0);
            CHECK(hf.p_neutral >= 0);
            CHECK(hf.p_bullish >= 0);
            const double tau = o.neutral_band * std::sqrt(double(hf.horizon));
            CHECK(hf.direction == direction_label(hf.log_return, tau));
        }
    }
    // wider level -> wider interval
    ForecastOptions o80, o95;
    o80.level = 0.8;
    o95.level = 0.95;
    auto a = forecast(m, -1, h, o80).value(), b = forecast(m, -1, h, o95).value();
    for (int k = 0; k < 4; ++k) {
        CHECK(b.horizons[k].lower < a.horizons[k].lower);
        CHECK(b.horizons[k].upper > a.horizons[k].upper);
    }
    // the forecast is scale-free: prices x1000 give predictions x1000
    std::vector<double> big;
    for (double v : c) big.push_back(v * 1000);
    auto fb = forecast(m, -1, {big.data(), nullptr, big.size()}).value();
    auto fs = forecast(m, -1, h).value();
    for (int k = 0; k < 4; ++k) CHECK(fb.horizons[k].price == Approx(fs.horizons[k].price * 1000).epsilon(1e-5));
}

TEST_CASE("direction probabilities come from the split normal", "[forecast]") {
    auto p = direction_probabilities(0.0, 0.01, 0.02, 0.02);
    CHECK(p.bearish == Approx(p.bullish));
    CHECK(p.bearish + p.neutral + p.bullish == Approx(1.0));
    CHECK(p.neutral == Approx(0.3829).margin(1e-3));  // P(|Z| < 0.5)
    auto up = direction_probabilities(0.05, 0.01, 0.02, 0.02);
    CHECK(up.bullish > 0.95);
    CHECK(std::string(direction_label(0.05, 0.01)) == "bullish");
    CHECK(std::string(direction_label(-0.05, 0.01)) == "bearish");
    CHECK(std::string(direction_label(0.005, 0.01)) == "neutral");
}

TEST_CASE("batched forecasts equal single ones, with per-history errors", "[forecast]") {
    const Model m = tiny_model(true);
    const auto c1 = walk(30, 10.0, 2), c2 = walk(50, 300.0, 3);
    const std::vector<double> shortc(5, 1.0);
    std::vector<HistoryView> hs{{c1.data(), nullptr, c1.size()}, {shortc.data(), nullptr, shortc.size()},
                                {c2.data(), nullptr, c2.size()}};
    auto b = forecast_batch(m, {0, 1, -1}, hs);
    REQUIRE(b.ok());
    REQUIRE(b.value().size() == 3);
    REQUIRE(b.value()[0].ok());
    REQUIRE_FALSE(b.value()[1].ok());
    CHECK(b.value()[1].error().code == ErrorCode::insufficient_history);
    REQUIRE(b.value()[2].ok());
    auto s0 = forecast(m, 0, hs[0]).value();
    auto s2 = forecast(m, -1, hs[2]).value();
    for (int k = 0; k < 4; ++k) {
        CHECK(b.value()[0].value().horizons[k].price == Approx(s0.horizons[k].price).epsilon(1e-6));
        CHECK(b.value()[2].value().horizons[k].price == Approx(s2.horizons[k].price).epsilon(1e-6));
    }
    // a stock id changes the forecast of a general model
    auto s1 = forecast(m, 1, hs[0]).value();
    CHECK(s1.horizons[0].log_return != s0.horizons[0].log_return);
}

TEST_CASE("forecast errors are typed", "[forecast]") {
    const Model m = tiny_model(true);
    const auto c = walk(30, 10.0, 2);
    const HistoryView h{c.data(), nullptr, c.size()};
    ForecastOptions bad;
    bad.level = 0.5;
    auto r = forecast(m, 0, h, bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::invalid_input);
    CHECK(forecast(m, 7, h).error().code == ErrorCode::invalid_input);
    std::vector<double> nan = c;
    nan[25] = std::nan("");
    CHECK(forecast(m, 0, {nan.data(), nullptr, nan.size()}).error().code == ErrorCode::invalid_input);
    CHECK(forecast(m, 0, {c.data(), nullptr, 3}).error().code == ErrorCode::insufficient_history);
    Model broken = m;
    broken.intervals.lower.pop_back();
    CHECK_FALSE(forecast(broken, 0, h).ok());
}

TEST_CASE("volatility-scaled intervals widen with the window's volatility", "[forecast]") {
    Model m = tiny_model(false);
    m.meta.metrics["interval_scaling"] = {{"kind", "window_volatility"}, {"window", 8}, {"floor", 1e-3}};
    REQUIRE(load_calibration(m).ok());
    REQUIRE(interval_volatility_scaled(m));
    for (int h = 0; h < 4; ++h) {  // normalised quantiles
        m.intervals.lower[h] = {-1.2, -1.6, -2.0};
        m.intervals.upper[h] = {1.3, 1.7, 2.1};
    }
    // calm and wild histories ending at the same price
    std::vector<double> calm, wild;
    for (int i = 0; i < 30; ++i) {
        calm.push_back(100 * std::exp(0.002 * (i % 2)));
        wild.push_back(100 * std::exp(0.05 * (i % 2)));
    }
    const double vc = window_volatility(calm.data(), calm.size() - 1, 8);
    const double vw = window_volatility(wild.data(), wild.size() - 1, 8);
    CHECK(vw > 10 * vc);
    auto fc = forecast(m, -1, {calm.data(), nullptr, calm.size()}).value();
    auto fw = forecast(m, -1, {wild.data(), nullptr, wild.size()}).value();
    for (int k = 0; k < 4; ++k) {
        const auto& c = fc.horizons[k];
        const double s = vc * std::sqrt(double(c.horizon));
        CHECK(std::log(c.upper / c.price) == Approx(1.7 * s).epsilon(1e-6));
        CHECK(std::log(c.lower / c.price) == Approx(-1.6 * s).epsilon(1e-6));
        CHECK(fw.horizons[k].upper / fw.horizons[k].price > c.upper / c.price);
        CHECK(c.p_bearish + c.p_neutral + c.p_bullish == Approx(1.0));
    }
    // a flat (untraded) window still gets a non-degenerate interval
    std::vector<double> flat(30, 50.0);
    CHECK(window_volatility(flat.data(), flat.size() - 1, 8) == kMinWindowVolatility);
    auto ff = forecast(m, -1, {flat.data(), nullptr, flat.size()}).value();
    CHECK(ff.horizons[0].upper > ff.horizons[0].price);
}

TEST_CASE("per-stock shrinkage of a general model", "[forecast]") {
    Model m = tiny_model(true);
    m.meta.metrics["target_scale"] = {0.02, 0.05, 0.07, 0.12};
    m.meta.metrics["stock_shrink"] = {{"AAA", {0.0, 0.0, 0.0, 0.0}}, {"BBB", {1.0, 0.5, 1.0, 0.25}}};
    REQUIRE(load_calibration(m).ok());
    const auto c = walk(30, 10.0, 2);
    const HistoryView h{c.data(), nullptr, c.size()};
    auto a = forecast(m, 0, h).value();  // AAA: shrunk to "no change"
    for (const auto& hf : a.horizons) {
        CHECK(hf.log_return == 0.0);
        CHECK(hf.price == c.back());
        CHECK(hf.direction == "neutral");
    }
    Model plain = tiny_model(true);
    auto b = forecast(m, 1, h).value(), b0 = forecast(plain, 1, h).value();  // BBB: a_h * target_scale
    const double expect[4] = {1.0, 0.5, 1.0, 0.25};
    for (int k = 0; k < 4; ++k) CHECK(b.horizons[k].log_return == Approx(expect[k] * b0.horizons[k].log_return));
    // per-stock interval width factor
    m.meta.metrics["stock_interval_scale"] = {{"BBB", {2.0, 2.0, 2.0, 2.0}}};
    REQUIRE(load_calibration(m).ok());
    auto w = forecast(m, 1, h).value();
    for (int k = 0; k < 4; ++k) {
        CHECK(std::log(w.horizons[k].upper / w.horizons[k].price) ==
              Approx(2 * std::log(b0.horizons[k].upper / b0.horizons[k].price)));
        CHECK(std::log(w.horizons[k].lower / w.horizons[k].price) ==
              Approx(2 * std::log(b0.horizons[k].lower / b0.horizons[k].price)));
    }
    auto u = forecast(m, -1, h).value(), u0 = forecast(plain, -1, h).value();  // unseen: OutputSpec.scale
    for (int k = 0; k < 4; ++k) {
        CHECK(u.horizons[k].log_return == Approx(u0.horizons[k].log_return));
        CHECK(u.horizons[k].upper == Approx(u0.horizons[k].upper));
    }
}

TEST_CASE("malformed calibration is a format error, never a silent fallback", "[forecast][format]") {
    Model m = testing::make_model(testing::load_golden("nn_general.json").net, "general");
    REQUIRE(load_calibration(m).ok());
    m.meta.metrics["target_scale"] = {0.02, 0.05, 0.07, 0.12};
    m.meta.metrics["stock_shrink"] = {{"S1", {1.0, 0.5, 2.0, 0.25}}};  // 2.0 is not a shrink factor
    CHECK(load_calibration(m).error().code == ErrorCode::bad_header);
    m.meta.metrics["stock_shrink"] = {{"NOPE", {1.0, 0.5, 1.0, 0.25}}};
    CHECK(load_calibration(m).error().code == ErrorCode::bad_header);
    m.meta.metrics["stock_shrink"] = {{"S1", {1.0, 0.5}}};
    CHECK(load_calibration(m).error().code == ErrorCode::shape_mismatch);
    m.meta.metrics.erase("target_scale");
    CHECK(load_calibration(m).error().code == ErrorCode::bad_header);
    m.meta.metrics.erase("stock_shrink");
    m.meta.metrics["interval_scaling"] = {{"kind", "magic"}};
    CHECK(load_calibration(m).error().code == ErrorCode::bad_header);
    m.meta.metrics["interval_scaling"] = {{"kind", "window_volatility"}};
    m.meta.metrics["stock_interval_scale"] = {{"S2", {1.0, -1.0, 1.0, 1.0}}};
    CHECK(load_calibration(m).error().code == ErrorCode::bad_header);
    // Written and parsed, a malformed calibration is rejected at load.
    auto bytes = write_model(m, Dtype::f32);
    REQUIRE(bytes.ok());
    CHECK(parse_model(bytes.value().data(), bytes.value().size()).error().code == ErrorCode::bad_header);
}

TEST_CASE("confidence score: direction certainty and interval tightness, in [0, 1]", "[forecast]") {
    HorizonForecast f;
    f.price = 100;
    f.lower = 100;
    f.upper = 100;
    f.p_bearish = f.p_neutral = f.p_bullish = 1.0 / 3.0;
    CHECK(confidence_score(f) == Approx(0.5));  // even split (d = 0), point interval (t = 1)
    f.p_bullish = 1;
    f.p_bearish = f.p_neutral = 0;
    CHECK(confidence_score(f) == Approx(1.0));
    f.lower = 50;
    f.upper = 150;  // as wide as the price: t = 1/2
    CHECK(confidence_score(f) == Approx(0.75));
    f.p_bullish = 0.6;
    f.p_neutral = 0.3;
    f.p_bearish = 0.1;  // d = (0.6 - 1/3) / (2/3) = 0.4
    CHECK(confidence_score(f) == Approx((0.4 + 0.5) / 2));
    f.upper = 1e300;
    CHECK(confidence_score(f) >= 0);
    CHECK(confidence_score(f) <= 1);
    f.price = std::nan("");
    CHECK(confidence_score(f) == 0);
}

TEST_CASE("past return over the last n rows", "[forecast]") {
    std::vector<double> c(30);
    for (std::size_t i = 0; i < c.size(); ++i) c[i] = 10 + static_cast<double>(i);
    CHECK(past_return(c, 21) == Approx(39.0 / 18.0 - 1));  // close[29] / close[8] - 1
    CHECK(past_return(c, 29) == Approx(39.0 / 10.0 - 1));
    CHECK(std::isnan(past_return(c, 30)));
    CHECK(std::isnan(past_return(c, 0)));
    CHECK(std::isnan(past_return({}, 1)));
}
