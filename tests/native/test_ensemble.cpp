// The adaptive ensemble (core/src/ensemble.cpp): weights, adaptation on synthetic series, excluded
// members with their reasons, the cache, typed errors for bad input and bad specs.
#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <random>
#include <string>

#include "stockcast/data_files.hpp"
#include "stockcast/ensemble.hpp"
#include "test_support.hpp"

using namespace stockcast;

namespace {

// A network whose every output is its dense2 bias: it forecasts log return `r` at every horizon.
Model constant_model(double r) {
    nn::Architecture a;
    a.window = 8;
    a.features = 1;
    a.lstm_units = {4, 3};
    a.dense_units = 3;
    a.outputs = 4;
    Model m;
    m.meta.kind = "stock_specific";
    m.input.features = {"log_close_rel_last"};
    m.input.scale = {1.0f};
    m.output.scale = {1.0f, 1.0f, 1.0f, 1.0f};
    m.net = nn::Network::zeros(a);
    m.net.dense2.bias.setConstant(static_cast<float>(r));
    for (int h = 0; h < 4; ++h) {
        m.intervals.lower.push_back({-0.02, -0.03, -0.04});
        m.intervals.upper.push_back({0.02, 0.03, 0.04});
    }
    return m;
}

Json calibration(double q) {
    return Json{{"lower", {-q}}, {"upper", {q}}, {"direction", Json{{"bearish", {-1.0, -1.0, -0.5}}, {"bullish", {-1.0, 1.0, -0.5}}}},
                {"confidence", "low"}};
}

// A spec for horizon 1 with the given members (each calibrated alike), level 0.9 only.
std::string spec_text(const std::vector<std::string>& members, const std::string& rule = "hedge", int window = 50) {
    Json m = Json::object();
    for (const auto& name : members) m[name] = calibration(1.6);
    Json doc{{"format", "stockcast-ensemble"}, {"version", 1}, {"window", window}, {"volatility_window", 20},
             {"neutral_band", 0.005}, {"levels", {0.9}},
             {"horizons", Json::array({Json{{"horizon", 1}, {"rule", Json{{"kind", rule}, {"eta", 0.2}, {"decay", 1.0}}},
                                            {"ensemble", calibration(1.6)}, {"members", m}}})}};
    return json_dump(doc);
}

Ensemble make_ensemble(const std::string& text) {
    return Ensemble(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
}

// Closes growing by exactly `drift` log per day, with a little noise so volatility is not 0.
std::vector<double> trend(int n, double drift, double noise, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> N(0, noise);
    std::vector<double> c{100.0};
    while (static_cast<int>(c.size()) < n) c.push_back(c.back() * std::exp(drift + N(rng)));
    return c;
}

const EnsembleMemberAnswer& member(const EnsembleAnswer& a, const std::string& name) {
    for (const auto& m : a.members)
        if (m.name == name) return m;
    FAIL("no member " << name);
    return a.members.front();
}

double weight_sum(const EnsembleAnswer& a) {
    double s = 0;
    for (const auto& m : a.members) s += m.weight;
    return s;
}

}  // namespace

TEST_CASE("ensemble weights sum to 1 and favour the smaller recent error, for every rule") {
    const std::vector<std::vector<double>> errors{{0.01, 0.02, 0.01}, {0.03, 0.03, 0.04}, {0.02, 0.02, 0.02}};
    for (const char* kind : {"hedge", "inverse_error", "equal"}) {
        const auto w = ensemble_weights(WeightRule{kind, 1.0, 0.9}, errors, 2);
        REQUIRE(w.size() == 3);
        REQUIRE(w[0] + w[1] + w[2] == Approx(1.0).margin(1e-12));
        if (std::string(kind) == "equal") REQUIRE(w[0] == Approx(w[1]));
        else {
            REQUIRE(w[0] > w[2]);
            REQUIRE(w[2] > w[1]);
        }
    }
    // Every member exact over the window: nothing tells them apart.
    const auto w = ensemble_weights(WeightRule{"hedge", 5.0, 1.0}, {{0, 0}, {0, 0}}, 1);
    REQUIRE(w[0] == Approx(0.5));
    // A larger eta concentrates the weight.
    const auto soft = ensemble_weights(WeightRule{"hedge", 0.01, 1.0}, errors, 2);
    const auto hard = ensemble_weights(WeightRule{"hedge", 1.0, 1.0}, errors, 2);
    REQUIRE(hard[0] > soft[0]);
}

TEST_CASE("the adaptation moves weight to the member that was right over the window") {
    Ensemble ens = make_ensemble(spec_text({"up", "naive"}));
    REQUIRE(ens.error() == nullptr);
    REQUIRE(ens.add_network("up", constant_model(0.01), -1));
    EnsembleRequest req;
    req.horizon = 1;
    req.close = trend(200, 0.01, 0.001, 1);  // +1 % a day: "up" is right
    auto up = ens.predict(req);
    REQUIRE(up);
    REQUIRE(member(up.value(), "up").weight > 0.9);
    REQUIRE(weight_sum(up.value()) == Approx(1.0).margin(1e-12));
    REQUIRE(up.value().forecast.log_return > 0.009);
    REQUIRE(up.value().forecast.lower < up.value().forecast.price);
    REQUIRE(up.value().forecast.price < up.value().forecast.upper);
    REQUIRE(member(up.value(), "up").recent_error < member(up.value(), "naive").recent_error);

    req.close = trend(200, 0.0, 0.001, 2);  // no drift: "no change" is right
    auto flat = ens.predict(req);
    REQUIRE(flat);
    REQUIRE(member(flat.value(), "naive").weight > 0.9);
    REQUIRE(std::abs(flat.value().forecast.log_return) < 0.001);
    // Each member's own forecast carries its own interval.
    const auto& m = member(flat.value(), "up");
    REQUIRE(m.has_forecast);
    REQUIRE(m.forecast.log_return == Approx(0.01).epsilon(1e-5));
    REQUIRE(m.forecast.lower < m.forecast.upper);
    REQUIRE(m.forecast.p_bearish + m.forecast.p_neutral + m.forecast.p_bullish == Approx(1.0));
}

TEST_CASE("members that are not loaded, lack history or lack inputs are excluded and named") {
    const std::string learner = testing::source_path("models/factors/learner_random_forest_1d.stkm");
    auto bytes = read_text_file(learner);
    REQUIRE(bytes);
    Ensemble ens = make_ensemble(spec_text({"up", "late", "random_forest", "transformer", "naive"}));
    REQUIRE(ens.add_network("up", constant_model(0.01), -1));
    REQUIRE(ens.add_network("uncalibrated", constant_model(0.0), -1));
    REQUIRE(ens.add_learner("random_forest", reinterpret_cast<const std::uint8_t*>(bytes.value().data()), bytes.value().size()));
    // "late" needs a long window: with 80 rows its first adaptation origin (row 29) has too little history.
    Model late = constant_model(0.0);
    late.net.arch.window = 40;
    late.net = nn::Network::zeros(late.net.arch);
    REQUIRE(ens.add_network("late", late, -1));
    EnsembleRequest req;
    req.horizon = 1;
    req.close = trend(80, 0.001, 0.01, 3);  // closes only: the learner lacks high/low/volume
    auto a = ens.predict(req);
    REQUIRE(a);
    REQUIRE(member(a.value(), "up").included);
    REQUIRE(member(a.value(), "naive").included);
    REQUIRE_FALSE(member(a.value(), "late").included);
    REQUIRE(member(a.value(), "late").reason.find("insufficient_history") == 0);
    REQUIRE_FALSE(member(a.value(), "random_forest").included);
    REQUIRE(member(a.value(), "random_forest").reason.find("high, low and volume") != std::string::npos);
    REQUIRE_FALSE(member(a.value(), "transformer").included);
    REQUIRE(member(a.value(), "transformer").reason.find("not_loaded") == 0);
    REQUIRE_FALSE(member(a.value(), "uncalibrated").included);
    REQUIRE(member(a.value(), "uncalibrated").reason.find("not_calibrated") == 0);
    for (const auto& m : a.value().members)
        if (!m.included) REQUIRE(m.weight == 0);
    REQUIRE(weight_sum(a.value()) == Approx(1.0).margin(1e-12));

    // With high/low/volume the learner takes part.
    req.high = req.close;
    req.low = req.close;
    for (auto& h : req.high) h *= 1.01;
    for (auto& l : req.low) l *= 0.99;
    req.volume.assign(req.close.size(), 1000.0);
    auto b = ens.predict(req);
    REQUIRE(b);
    REQUIRE(member(b.value(), "random_forest").included);
    REQUIRE(member(b.value(), "random_forest").weight > 0);
}

TEST_CASE("a repeated call is served from the bounded cache with the same answer") {
    Ensemble ens = make_ensemble(spec_text({"up", "naive"}));
    REQUIRE(ens.add_network("up", constant_model(0.004), -1));
    EnsembleRequest req;
    req.key = "TEST|2021-06-30";
    req.horizon = 1;
    req.close = trend(120, 0.002, 0.01, 4);
    auto first = ens.predict(req);
    auto second = ens.predict(req);
    REQUIRE(first);
    REQUIRE(second);
    REQUIRE_FALSE(first.value().cached);
    REQUIRE(second.value().cached);
    REQUIRE(second.value().forecast.price == first.value().forecast.price);
    REQUIRE(second.value().forecast.upper == first.value().forecast.upper);
    for (std::size_t i = 0; i < first.value().members.size(); ++i)
        REQUIRE(second.value().members[i].weight == first.value().members[i].weight);
    // Another level reuses the members' errors too.
    // The same key with another history is not served from the cache.
    req.close.back() *= 1.05;
    auto changed = ens.predict(req);
    REQUIRE(changed);
    REQUIRE_FALSE(changed.value().cached);
    REQUIRE(changed.value().forecast.price != first.value().forecast.price);
    // Bounded: more keys than entries keeps kEnsembleCacheEntries.
    for (int k = 0; k < static_cast<int>(kEnsembleCacheEntries) + 10; ++k) {
        req.key = "K" + std::to_string(k);
        REQUIRE(ens.predict(req));
    }
    REQUIRE(ens.cache_size() == kEnsembleCacheEntries);
    // Adding a member clears it (its errors are not in the entries).
    REQUIRE(ens.add_network("up", constant_model(0.0), -1));
    REQUIRE(ens.cache_size() == 0);
}

TEST_CASE("bad input and bad specs give typed errors") {
    Ensemble ens = make_ensemble(spec_text({"up", "naive"}));
    REQUIRE(ens.add_network("up", constant_model(0.0), -1));
    EnsembleRequest req;
    req.horizon = 1;
    req.close = trend(120, 0.0, 0.01, 5);

    EnsembleRequest bad = req;
    bad.horizon = 7;
    auto r = ens.predict(bad);
    REQUIRE_FALSE(r);
    REQUIRE(r.error().code == ErrorCode::invalid_input);
    REQUIRE(r.error().field == "horizon");

    bad = req;
    bad.level = 0.5;
    r = ens.predict(bad);
    REQUIRE_FALSE(r);
    REQUIRE(r.error().field == "level");

    bad = req;
    bad.close[10] = std::nan("");
    r = ens.predict(bad);
    REQUIRE_FALSE(r);
    REQUIRE(r.error().field == "close");
    bad.close[10] = -1;
    REQUIRE(ens.predict(bad).error().field == "close");

    bad = req;
    bad.high = {1.0, 2.0};
    r = ens.predict(bad);
    REQUIRE_FALSE(r);
    REQUIRE(r.error().field == "high");

    bad = req;
    bad.close.resize(40);
    r = ens.predict(bad);
    REQUIRE_FALSE(r);
    REQUIRE(r.error().code == ErrorCode::insufficient_history);
    REQUIRE(r.error().required == 52);
    REQUIRE(r.error().provided == 40);

    REQUIRE_FALSE(ens.add_network("naive", constant_model(0.0), -1));
    REQUIRE_FALSE(ens.add_network("x", reinterpret_cast<const std::uint8_t*>("junk"), 4, -1));

    for (const std::string text : {std::string("not json"), std::string("{}"), std::string("[1]"),
                                   spec_text({"up"}),                 // no naive member
                                   spec_text({"up", "naive"}, "magic"),  // unknown rule
                                   spec_text({"up", "naive"}, "hedge", 0)}) {
        Ensemble e = make_ensemble(text);
        REQUIRE(e.error() != nullptr);
        REQUIRE(e.error()->code == ErrorCode::bad_header);
        REQUIRE_FALSE(e.predict(req));
    }
    Ensemble empty(nullptr, 0);
    REQUIRE(empty.error() != nullptr);

    // Hostile but well-formed JSON: every field the predictions read is checked.
    const auto good = parse_json(spec_text({"up", "naive"}));
    REQUIRE(good);
    auto mutated = [&](auto edit) {
        Json doc = good.value();
        edit(doc);
        return ensemble_spec_from_json(doc);
    };
    REQUIRE(mutated([](Json&) {}));
    const auto version = mutated([](Json& d) { d["version"] = 2; });
    REQUIRE(version.error().code == ErrorCode::unsupported_version);
    for (auto edit : std::vector<std::function<void(Json&)>>{
             [](Json& d) { d["horizons"][0]["ensemble"]["lower"] = Json::array({0.1}); },          // lower > 0
             [](Json& d) { d["horizons"][0]["ensemble"]["upper"] = Json::array({1.0, 2.0}); },     // one per level
             [](Json& d) { d["horizons"][0]["ensemble"]["upper"] = Json::array({"1"}); },          // not a number
             [](Json& d) { d["horizons"][0]["members"]["up"]["direction"].erase("bullish"); },
             [](Json& d) { d["horizons"][0]["members"]["up"]["confidence"] = "sure"; },
             [](Json& d) { d["horizons"][0]["members"] = Json::array(); },
             [](Json& d) { d["horizons"].push_back(d["horizons"][0]); },                              // horizon twice
             [](Json& d) { d["horizons"][0]["horizon"] = 0; },
             [](Json& d) { d["horizons"][0]["rule"]["shrink"] = 2; },
             [](Json& d) { d["horizons"][0]["rule"]["decay"] = 0; },
             [](Json& d) { d["horizons"][0]["rule"]["eta"] = -1; },
             [](Json& d) { d["levels"] = Json::array({1.5}); },
             [](Json& d) { d["window"] = 1001; },
             [](Json& d) { d["volatility_window"] = "60"; },
             [](Json& d) { d.erase("neutral_band"); },
         }) {
        const auto r = mutated(edit);
        REQUIRE_FALSE(r);
        REQUIRE(r.error().code == ErrorCode::bad_header);
    }
    // A general network's embedding row is checked.
    nn::Architecture a = constant_model(0).net.arch;
    a.embedding_count = 3;
    a.embedding_dim = 2;
    Model general = constant_model(0);
    general.net = nn::Network::zeros(a);
    general.meta.kind = "general";
    general.meta.stocks = {"A", "B", "C"};
    const auto bad_id = ens.add_network("g", general, 3);
    REQUIRE_FALSE(bad_id);
    REQUIRE(bad_id.error().field == "stockId");
    REQUIRE(ens.add_network("g", general, 2));
}
