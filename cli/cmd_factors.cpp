// The factor models' commands: pack (scikit-learn parameters -> model file, the format's one
// writer), factors (one prediction from raw features or a symbol's prices) and factor-rows
// (training / evaluation rows for scikit-learn, computed by the core's factor features).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "commands.hpp"
#include "stockcast/data_files.hpp"
#include "stockcast/factor_features.hpp"
#include "stockcast/factor_model.hpp"
#include "stockcast/json.hpp"

namespace stockcast::cli {
namespace {

int fail(const char* cmd, const std::string& message) {
    std::fprintf(stderr, "stockcast %s: %s\n", cmd, message.c_str());
    return 1;
}

Result<FactorModel> load_factor(const std::string& path) {
    auto bytes = read_text_file(path);
    if (!bytes) return bytes.error();
    auto m = parse_factor_model(reinterpret_cast<const std::uint8_t*>(bytes.value().data()), bytes.value().size());
    if (!m) {
        Error e = m.error();
        e.message = path + ": " + code_name(e.code) + ": " + e.message;
        return e;
    }
    return m;
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : s) {
        if (c == sep) out.push_back(cur), cur.clear();
        else cur += c;
    }
    out.push_back(cur);
    return out;
}

OhlcvView view_of(const PriceSeries& p) {
    return OhlcvView{p.high.data(), p.low.data(), p.close.data(), p.volume.data(), p.size()};
}

// Targets of row t (NaN where the future is not in the series).
struct Targets {
    double next_range_rel, high_range_next;
    double fwd_ret[4];
};
constexpr int kHorizons[4] = {1, 5, 10, 30};

Targets targets_at(const PriceSeries& p, std::size_t t, double mean_range_20) {
    const double nan = std::nan("");
    Targets out{nan, nan, {nan, nan, nan, nan}};
    if (t + 1 < p.size()) {
        out.next_range_rel = std::max(0.0, p.high[t + 1] - p.low[t + 1]) / p.close[t];
        out.high_range_next = out.next_range_rel > mean_range_20 ? 1.0 : 0.0;
    }
    for (int k = 0; k < 4; ++k)
        if (t + kHorizons[k] < p.size()) out.fwd_ret[k] = std::log(p.close[t + kHorizons[k]] / p.close[t]);
    return out;
}

std::string num(double v) {
    if (std::isnan(v)) return "";
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

}  // namespace

int cmd_pack(int argc, char** argv) {
    std::string in, out;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--out") && i + 1 < argc) out = argv[++i];
        else if (argv[i][0] == '-') return fail("pack", std::string("unknown option '") + argv[i] + "'");
        else if (in.empty()) in = argv[i];
        else return fail("pack", "expected one WEIGHTS.json argument");
    }
    if (in.empty() || out.empty()) return fail("pack", "usage: stockcast pack WEIGHTS.json --out MODEL.stkm");
    auto text = read_text_file(in);
    if (!text) return fail("pack", text.error().message);
    auto doc = parse_json(text.value());
    if (!doc) return fail("pack", in + ": " + doc.error().message);
    auto model = factor_model_from_json(doc.value());
    if (!model) return fail("pack", in + ": " + code_name(model.error().code) + ": " + model.error().message);
    auto bytes = write_factor_model(model.value());
    if (!bytes) return fail("pack", bytes.error().message);
    // Read back through the reader the browser uses: a file that does not load is never written.
    auto back = parse_factor_model(bytes.value().data(), bytes.value().size());
    if (!back) return fail("pack", std::string("the written file does not load: ") + back.error().message);
    std::ofstream f(out, std::ios::binary);
    f.write(reinterpret_cast<const char*>(bytes.value().data()), static_cast<std::streamsize>(bytes.value().size()));
    if (!f) return fail("pack", "cannot write '" + out + "'");
    std::printf("%s: %s, %zu bytes\n", out.c_str(), factor_kind_name(model.value().kind), bytes.value().size());
    return 0;
}

int cmd_factors(int argc, char** argv) {
    std::string path, features, symbol, prices = "models/data/nse/prices";
    bool clamp = false, json = false, info = false;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--features") && i + 1 < argc) features = argv[++i];
        else if (!std::strcmp(argv[i], "--symbol") && i + 1 < argc) symbol = argv[++i];
        else if (!std::strcmp(argv[i], "--prices") && i + 1 < argc) prices = argv[++i];
        else if (!std::strcmp(argv[i], "--clamp")) clamp = true;
        else if (!std::strcmp(argv[i], "--json")) json = true;
        else if (!std::strcmp(argv[i], "--info")) info = true;
        else if (argv[i][0] == '-') return fail("factors", std::string("unknown option '") + argv[i] + "'");
        else if (path.empty()) path = argv[i];
        else return fail("factors", "expected one MODEL argument");
    }
    if (path.empty() || (features.empty() == symbol.empty() && !info))
        return fail("factors", "usage: stockcast factors MODEL (--features v1,v2,… | --symbol SYM [--prices DIR] | --info) [--clamp] [--json]");
    auto loaded = load_factor(path);
    if (!loaded) return fail("factors", loaded.error().message);
    const FactorModel& m = loaded.value();
    if (info) {
        std::cout << json_dump(factor_model_summary(m), 2) << "\n";
        return 0;
    }
    std::vector<double> x;
    std::string data_date;
    if (!features.empty()) {
        for (const std::string& v : split(features, ',')) {
            char* end = nullptr;
            const double d = std::strtod(v.c_str(), &end);
            if (v.empty() || end != v.c_str() + v.size()) return fail("factors", "--features: '" + v + "' is not a number");
            x.push_back(d);
        }
    } else {
        auto series = load_price_csv(prices + "/" + symbol + ".csv", symbol);
        if (!series) return fail("factors", series.error().message);
        auto row = latest_factor_features(view_of(series.value()), m.features);
        if (!row) return fail("factors", row.error().message);
        x = row.value();
        data_date = series.value().dates.back();
    }
    std::vector<double> scratch;
    auto p = predict_factors(m, x, clamp, scratch);
    if (!p) {
        const Error& e = p.error();
        return fail("factors", std::string(code_name(e.code)) + ": " + e.message);
    }
    const FactorPrediction& r = p.value();
    Json out = {{"model", m.name}, {"kind", factor_kind_name(m.kind)}, {"target", m.target}, {"prediction", r.value}};
    Json named = Json::object();
    for (std::size_t k = 0; k < x.size(); ++k) named[m.features[k]] = x[k];
    out["features"] = named;
    if (!data_date.empty()) out["dataDate"] = data_date;
    if (m.is_classifier()) out["probabilities"] = {{m.classes[0], r.probabilities[0]}, {m.classes[1], r.probabilities[1]}}, out["label"] = r.label;
    if (!r.clamped.empty()) {
        Json c = Json::array();
        for (const auto& f : r.clamped) c.push_back({{"field", f.field}, {"value", f.value}, {"min", f.min}, {"max", f.max}});
        out["clamped"] = c;
    }
    out["metrics"] = m.metrics;
    if (json) {
        std::cout << json_dump(out, 2) << "\n";
        return 0;
    }
    std::printf("%s (%s) %s: %.6g", m.name.c_str(), factor_kind_name(m.kind), m.target.c_str(), r.value);
    if (m.is_classifier()) std::printf("  P(%s) = %.4f -> %s", m.classes[1].c_str(), r.probabilities[1], r.label.c_str());
    std::printf("\n");
    for (const auto& f : r.clamped) std::printf("  clamped %s = %g to [%g, %g]\n", f.field.c_str(), f.value, f.min, f.max);
    return 0;
}

int cmd_factor_rows(int argc, char** argv) {
    std::string prices = "models/data/nse/prices", events_path, out, symbols_arg;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--prices") && i + 1 < argc) prices = argv[++i];
        else if (!std::strcmp(argv[i], "--events") && i + 1 < argc) events_path = argv[++i];
        else if (!std::strcmp(argv[i], "--symbols") && i + 1 < argc) symbols_arg = argv[++i];
        else if (!std::strcmp(argv[i], "--out") && i + 1 < argc) out = argv[++i];
        else return fail("factor-rows", std::string("unknown argument '") + argv[i] + "'");
    }
    if (out.empty() || symbols_arg.empty())
        return fail("factor-rows", "usage: stockcast factor-rows --symbols A,B,… --out ROWS.csv [--prices DIR] [--events events.csv]");
    std::map<std::string, std::vector<std::string>> events;
    if (!events_path.empty()) {
        auto ev = load_events_csv(events_path);
        if (!ev) return fail("factor-rows", ev.error().message);
        for (const auto& e : ev.value()) events[e.symbol].push_back(e.date);
    }
    std::ofstream f(out);
    if (!f) return fail("factor-rows", "cannot write '" + out + "'");
    const auto& names = factor_feature_names();
    f << "symbol,date";
    for (const auto& n : names) f << "," << n;
    f << ",next_range_rel,high_range_next,fwd_ret_1,fwd_ret_5,fwd_ret_10,fwd_ret_30\n";
    std::size_t rows = 0, skipped = 0;
    for (const std::string& sym : split(symbols_arg, ',')) {
        auto series = load_price_csv(prices + "/" + sym + ".csv", sym);
        if (!series) return fail("factor-rows", series.error().message);
        const PriceSeries& p = series.value();
        const OhlcvView v = view_of(p);
        std::vector<double> x(names.size()), range(p.size());
        for (std::size_t t = 0; t < p.size(); ++t) range[t] = std::max(0.0, p.high[t] - p.low[t]) / p.close[t];
        // Rows whose window (t-20 .. t+30) holds a suspected split / glitch are left out.
        std::vector<bool> near_event(p.size(), false);
        for (const std::string& d : events[sym]) {
            const std::size_t e = p.lower_bound(d);
            for (std::size_t t = e >= 30 ? e - 30 : 0; t < std::min(p.size(), e + 21); ++t) near_event[t] = true;
        }
        for (std::size_t t = kFactorHistoryRows - 1; t < p.size(); ++t) {
            if (near_event[t]) {
                ++skipped;
                continue;
            }
            if (!factor_features_at(v, t, names, x.data())) {
                ++skipped;
                continue;
            }
            double mean20 = 0;
            for (std::size_t r = t - 19; r <= t; ++r) mean20 += range[r];
            const Targets y = targets_at(p, t, mean20 / 20.0);
            f << sym << "," << p.dates[t];
            for (double val : x) f << "," << num(val);
            f << "," << num(y.next_range_rel) << "," << num(y.high_range_next);
            for (double r : y.fwd_ret) f << "," << num(r);
            f << "\n";
            ++rows;
        }
    }
    std::printf("%s: %zu rows (%zu left out: near a price event or invalid bars)\n", out.c_str(), rows, skipped);
    return f ? 0 : 1;
}

}  // namespace stockcast::cli
