// Full risk report for every stock in models/data/nse/prices/ (about ten years of daily data each),
// natively: total and per-stock time (median, p95), the GARCH fit on its own, and the JSON entry
// point (request parse + report + response) the WASM binding calls.
//
//   ./build/bench_risk [repo_root] [repetitions]
//
// Per-stock times are the minimum over the repetitions (robust to a busy machine); pass totals
// are reported as median and minimum over the repetitions.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <dirent.h>
#include <string>
#include <vector>

#include "stockcast/data_files.hpp"
#include "stockcast/risk/json_api.hpp"
#include "stockcast/risk/report.hpp"

using namespace stockcast;
using namespace stockcast::risk;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

double percentile(std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    const double h = p * static_cast<double>(v.size() - 1);
    const auto lo = static_cast<std::size_t>(h);
    const std::size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (h - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

double sum(const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return s;
}

void print_stats(const char* what, const std::vector<double>& v) {
    std::printf("  %-34s sum %7.1f ms | median %6.3f ms, p95 %6.3f ms, max %6.3f ms\n", what, sum(v), percentile(v, 0.5), percentile(v, 0.95),
                *std::max_element(v.begin(), v.end()));
}

}  // namespace

int main(int argc, char** argv) {
#ifdef STOCKCAST_SOURCE_DIR
    std::string root = STOCKCAST_SOURCE_DIR;
#else
    std::string root = ".";
#endif
    if (argc > 1) root = argv[1];
    const int reps = argc > 2 ? std::max(1, std::atoi(argv[2])) : 7;
    const std::string data = root + "/models/data/nse/";

    std::vector<std::string> symbols;
    if (DIR* d = opendir((data + "prices").c_str())) {
        while (dirent* e = readdir(d)) {
            std::string name = e->d_name;
            if (name.size() > 4 && name.substr(name.size() - 4) == ".csv") symbols.push_back(name.substr(0, name.size() - 4));
        }
        closedir(d);
    }
    std::sort(symbols.begin(), symbols.end());
    if (symbols.empty()) {
        std::fprintf(stderr, "no price files under %sprices (pass the repository root as the first argument)\n", data.c_str());
        return 1;
    }
    auto events = load_events_csv(data + "events.csv");
    auto nasi = load_price_csv(data + "indices/NASI.csv", "NASI");
    if (!events || !nasi) {
        std::fprintf(stderr, "cannot load events.csv or NASI.csv\n");
        return 1;
    }
    std::vector<PriceSeries> series;
    std::vector<std::string> requests;  // the same inputs as JSON requests, for the entry point
    std::size_t rows = 0, request_bytes = 0;
    for (const std::string& s : symbols) {
        auto p = load_price_csv(data + "prices/" + s + ".csv", s);
        if (!p) {
            std::fprintf(stderr, "%s: %s\n", s.c_str(), p.error().message.c_str());
            return 1;
        }
        rows += p.value().size();
        Json ev = Json::array();
        for (const PriceEvent& e : events.value())
            if (e.symbol == s) ev.push_back({{"date", e.date}, {"log_return", e.log_return}});
        const Json req = {{"symbol", s}, {"dates", p.value().dates}, {"closes", p.value().close}, {"volumes", p.value().volume},
                          {"events", ev}, {"market", {{"symbol", "NASI"}, {"dates", nasi.value().dates}, {"closes", nasi.value().close}}}};
        requests.push_back(json_dump(req));
        request_bytes += requests.back().size();
        series.push_back(std::move(p.value()));
    }

    const std::size_t n = series.size();
    const RiskOptions opt;
    std::vector<double> report_ms(n, 1e300), garch_ms(n, 1e300), json_ms(n, 1e300), pass_ms;
    int garch = 0, ewma = 0, failed = 0, max_evals = 0;
    double evaluations = 0, response_bytes = 0;
    for (int rep = 0; rep <= reps; ++rep) {  // rep 0 warms caches and is not timed
        const auto t_pass = Clock::now();
        for (std::size_t i = 0; i < n; ++i) {
            const PriceSeries& s = series[i];
            const auto t0 = Clock::now();
            auto r = risk_report(s, &nasi.value(), events.value(), opt);
            const double t = ms_since(t0);
            if (!r) { ++failed; std::fprintf(stderr, "%s: %s\n", s.symbol.c_str(), r.error().message.c_str()); continue; }
            if (rep == 0) {
                (r.value().volatility.method == "garch" ? garch : ewma)++;
                evaluations += r.value().volatility.evaluations;
                max_evals = std::max(max_evals, r.value().volatility.evaluations);
                continue;
            }
            report_ms[i] = std::min(report_ms[i], t);
        }
        if (rep > 0) pass_ms.push_back(ms_since(t_pass));
        // The GARCH / EWMA fit alone, on the report's window.
        for (std::size_t i = 0; i < n && rep > 0; ++i) {
            const Vec all = adjusted_log_returns(series[i], events.value());
            const Vec w = all.tail(std::min<Eigen::Index>(all.size(), opt.window));
            const auto t0 = Clock::now();
            auto v = fit_volatility(w, opt.garch);
            garch_ms[i] = std::min(garch_ms[i], ms_since(t0));
            if (!v) ++failed;
        }
        // The JSON entry point on the same inputs (stock + NASI + events in every request).
        for (std::size_t i = 0; i < n && rep > 0; ++i) {
            const auto t0 = Clock::now();
            const std::string out = risk_report_json(requests[i]);
            json_ms[i] = std::min(json_ms[i], ms_since(t0));
            if (rep == 1) response_bytes += static_cast<double>(out.size());
        }
    }

    std::printf("risk report benchmark: %zu stocks, %zu rows (%.0f per stock), window %d returns, %d timed repetitions\n", n, rows,
                static_cast<double>(rows) / static_cast<double>(n), opt.window, reps);
    std::printf("  volatility model: %d garch, %d ewma fallback, %d failed; likelihood evaluations per fit: mean %.0f, max %d\n", garch, ewma,
                failed, static_cast<double>(evaluations) / static_cast<double>(n), max_evals);
    std::printf("  full reports, one pass over all stocks: median %.1f ms, min %.1f ms\n", percentile(pass_ms, 0.5),
                *std::min_element(pass_ms.begin(), pass_ms.end()));
    print_stats("per stock, full report:", report_ms);
    print_stats("per stock, GARCH/EWMA fit alone:", garch_ms);
    print_stats("per stock, JSON in -> JSON out:", json_ms);
    std::printf("  JSON request %.0f KB, response %.1f KB per stock (average)\n", static_cast<double>(request_bytes) / 1024.0 / static_cast<double>(n),
                response_bytes / 1024.0 / static_cast<double>(n));
    return failed ? 1 : 0;
}
