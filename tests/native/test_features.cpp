// Feature windows: values, scales, typed errors for bad histories.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "stockcast/features.hpp"

using namespace stockcast;

TEST_CASE("log_close_rel_last and log_return windows", "[forecast]") {
    InputSpec spec;
    spec.features = {"log_close_rel_last", "log_return"};
    spec.scale = {2.0f, 10.0f};
    std::vector<double> close{10, 11, 12, 10.5, 13};
    REQUIRE(required_history(spec, 4) == 5);
    std::vector<float> w(8);
    REQUIRE(build_window(spec, 4, {close.data(), nullptr, close.size()}, w.data()).ok());
    for (int t = 0; t < 4; ++t) {
        CHECK(w[t * 2] == Approx(2.0 * std::log(close[1 + t] / 13.0)));
        CHECK(w[t * 2 + 1] == Approx(10.0 * std::log(close[1 + t] / close[t])));
    }
    CHECK(w[6] == 0.0f);  // the last close relative to itself
}

TEST_CASE("windows are scale-free", "[forecast]") {
    InputSpec spec;  // default: log_close_rel_last
    std::vector<double> a{5, 6, 7, 6.5}, b;
    for (double v : a) b.push_back(v * 1000);
    std::vector<float> wa(4), wb(4);
    REQUIRE(build_window(spec, 4, {a.data(), nullptr, a.size()}, wa.data()).ok());
    REQUIRE(build_window(spec, 4, {b.data(), nullptr, b.size()}, wb.data()).ok());
    for (int i = 0; i < 4; ++i) CHECK(wa[i] == Approx(wb[i]).margin(1e-6));
}

TEST_CASE("bad histories give typed errors", "[forecast]") {
    InputSpec spec;
    std::vector<float> w(60);
    std::vector<double> shortc(59, 10.0);
    auto r = build_window(spec, 60, {shortc.data(), nullptr, shortc.size()}, w.data());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::insufficient_history);
    CHECK(r.error().message.find("requires 60") != std::string::npos);
    CHECK(r.error().message.find("provided 59") != std::string::npos);
    CHECK(r.error().required == 60);
    CHECK(r.error().provided == 59);

    std::vector<double> c(60, 10.0);
    c[30] = std::numeric_limits<double>::quiet_NaN();
    r = build_window(spec, 60, {c.data(), nullptr, c.size()}, w.data());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::invalid_input);
    CHECK(r.error().field == "history.close");
    c[30] = 0.0;
    CHECK(build_window(spec, 60, {c.data(), nullptr, c.size()}, w.data()).error().code == ErrorCode::invalid_input);
    c[30] = -1.0;
    CHECK(build_window(spec, 60, {c.data(), nullptr, c.size()}, w.data()).error().code == ErrorCode::invalid_input);

    InputSpec vol;
    vol.features = {"log_volume_rel_mean"};
    c[30] = 10.0;
    CHECK(build_window(vol, 60, {c.data(), nullptr, c.size()}, w.data()).error().code == ErrorCode::invalid_input);

    InputSpec unknown;
    unknown.features = {"rsi"};
    CHECK_FALSE(validate_input_spec(unknown).ok());
}
