// Shared helpers of the risk engine's tests: repository paths, golden files, synthetic series.
#pragma once

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "stockcast/data_files.hpp"
#include "stockcast/json.hpp"

namespace risk_test {

inline std::string repo_path(const std::string& relative) { return std::string(STOCKCAST_SOURCE_DIR) + "/" + relative; }

inline stockcast::Json load_golden(const std::string& name) {
    auto text = stockcast::read_text_file(repo_path("tests/golden/risk/" + name));
    REQUIRE(text.ok());
    auto j = stockcast::parse_json(text.value());
    REQUIRE(j.ok());
    return std::move(j.value());
}

inline stockcast::PriceSeries load_stock(const std::string& symbol, const char* dir = "prices") {
    auto s = stockcast::load_price_csv(repo_path(std::string("models/data/nse/") + dir + "/" + symbol + ".csv"), symbol);
    REQUIRE(s.ok());
    return s.value();
}

inline std::vector<stockcast::PriceEvent> load_events() {
    auto e = stockcast::load_events_csv(repo_path("models/data/nse/events.csv"));
    REQUIRE(e.ok());
    return e.value();
}

// Business-day-like ISO dates from 2010-01-01 on (valid, strictly increasing; calendar is irrelevant).
inline std::vector<std::string> make_dates(std::size_t n, int first_year = 2010) {
    std::vector<std::string> out;
    int y = first_year, m = 1, d = 1;
    char buf[16];
    while (out.size() < n) {
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
        out.emplace_back(buf);
        if (++d > 28) { d = 1; if (++m > 12) { m = 1; ++y; } }
    }
    return out;
}

// Deterministic standard normals (SplitMix64 + Box-Muller): same numbers on every platform.
struct Normal {
    std::uint64_t state;
    explicit Normal(std::uint64_t seed) : state(seed) {}
    double uniform() {
        std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
        return (static_cast<double>(z >> 11) + 0.5) / 9007199254740992.0;
    }
    double operator()() { return std::sqrt(-2 * std::log(uniform())) * std::cos(6.283185307179586 * uniform()); }
};

inline stockcast::PriceSeries make_series(const std::vector<double>& close, std::vector<double> volume = {}, const std::string& symbol = "TEST") {
    stockcast::PriceSeries s;
    s.symbol = symbol;
    s.dates = make_dates(close.size());
    s.close = close;
    s.low = close;
    s.high = close;
    s.volume = volume.empty() ? std::vector<double>(close.size(), 1000.0) : std::move(volume);
    return s;
}

// A random-walk price path with daily log-return vol `sigma`.
inline std::vector<double> random_walk(std::size_t n, double sigma, std::uint64_t seed, double start = 100) {
    Normal z(seed);
    std::vector<double> c(n);
    c[0] = start;
    for (std::size_t i = 1; i < n; ++i) c[i] = c[i - 1] * std::exp(sigma * z());
    return c;
}

// A price path whose log returns follow GARCH(1,1) (omega, alpha, beta), started at its long-run variance.
inline std::vector<double> garch_walk(std::size_t n, std::uint64_t seed, double omega = 4e-6, double alpha = 0.1, double beta = 0.88) {
    Normal z(seed);
    std::vector<double> c(n);
    c[0] = 100;
    double h = omega / (1 - alpha - beta);
    for (std::size_t i = 1; i < n; ++i) {
        const double r = std::sqrt(h) * z();
        c[i] = c[i - 1] * std::exp(r);
        h = omega + alpha * r * r + beta * h;
    }
    return c;
}

}  // namespace risk_test
