// stockcast predict: a forecast for one symbol from the shipped models and price files, with
// the model's held-out accuracy beside the naive "no change" forecast.
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>

#include "commands.hpp"
#include "stockcast/backtest.hpp"
#include "stockcast/data_files.hpp"
#include "stockcast/forecast.hpp"
#include "stockcast/json.hpp"
#include "stockcast/model.hpp"
#include "stockcast/sha256.hpp"

namespace stockcast::cli {
namespace {

const char* const kUsage =
    "usage: stockcast predict SYMBOL [--models DIR] [--prices DIR] [--level 0.8|0.9|0.95]\n"
    "  --models DIR   folder with manifest.json and the model files (default: models)\n"
    "  --prices DIR   folder with <SYMBOL>.csv price files (default: models/data/nse/prices)\n";

int fail(const std::string& message) {
    std::fprintf(stderr, "stockcast predict: %s\n", message.c_str());
    return 1;
}

}  // namespace

int cmd_predict(int argc, char** argv) {
    std::string symbol, models = "models", prices = "models/data/nse/prices";
    double level = 0.9;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if ((a == "--models" || a == "--prices" || a == "--level") && i + 1 >= argc) return fail(a + " needs a value");
        if (a == "--models") models = argv[++i];
        else if (a == "--prices") prices = argv[++i];
        else if (a == "--level") {
            char* end = nullptr;
            level = std::strtod(argv[++i], &end);
            if (*end != '\0') return fail("--level expects a number such as 0.9");
        } else if (a == "--help") {
            std::fputs(kUsage, stdout);
            return 0;
        } else if (a[0] == '-') return fail("unknown option '" + a + "'\n" + kUsage);
        else if (symbol.empty()) symbol = a;
        else return fail("expected one SYMBOL");
    }
    if (symbol.empty()) return fail(std::string("missing SYMBOL\n") + kUsage);

    auto manifest = load_manifest(models + "/manifest.json");
    if (!manifest) return fail(manifest.error().message);
    const ManifestStock* entry = nullptr;
    for (const auto& s : manifest.value().stocks)
        if (s.symbol == symbol) entry = &s;
    if (entry == nullptr) {
        std::string known;
        for (const auto& s : manifest.value().stocks) known += (known.empty() ? "" : " ") + s.symbol;
        return fail("model_not_found: no model serves '" + symbol + "'; available: " + known);
    }
    auto bytes = read_text_file(models + "/" + entry->file);
    if (!bytes) return fail(bytes.error().message);
    const auto* data = reinterpret_cast<const std::uint8_t*>(bytes.value().data());
    if (!entry->sha256.empty() && to_hex(sha256(data, bytes.value().size())) != entry->sha256)
        return fail("integrity_error: " + entry->file + " does not match the SHA-256 in the manifest");
    auto model = parse_model(data, bytes.value().size());
    if (!model) return fail(entry->file + ": " + code_name(model.error().code) + ": " + model.error().message);
    auto series = load_price_csv(prices + "/" + symbol + ".csv", symbol);
    if (!series) return fail(series.error().message);
    const PriceSeries& ps = series.value();

    ForecastOptions options;
    options.level = level;
    const int stock_id = model.value().stock_id(symbol);
    auto f = forecast(model.value(), stock_id, HistoryView{ps.close.data(), ps.volume.data(), ps.size()}, options);
    if (!f) return fail(std::string(code_name(f.error().code)) + ": " + f.error().message);

    // Held-out (test-year) accuracy from the manifest, beside the naive forecast.
    auto manifest_text = read_text_file(models + "/manifest.json");
    const auto doc = parse_json(manifest_text.value());
    Json metrics;  // {"1d": {"mape": ..., "naive_mape": ...}, ...}
    const Json* stocks = doc ? json_find(doc.value(), "stocks") : nullptr;
    if (stocks && stocks->is_array())
        for (const Json& s : *stocks)
            if (const Json* sym = json_find(s, "symbol"); sym && *sym == symbol)
                if (const Json* tm = json_find(s, "test_metrics"); tm && tm->is_object()) metrics = *tm;

    std::printf("%s (%s, %s) — model %s (%s), data up to %s, last close %.2f\n", symbol.c_str(), entry->name.c_str(),
                entry->sector.c_str(), entry->file.c_str(), entry->model_type.c_str(), ps.dates.back().c_str(),
                f.value().last_close);
    std::printf("%-8s %10s %22s %9s  %-8s %-22s %s\n", "horizon", "predicted", "interval", "return", "direction",
                "P(bear/neutral/bull)", "test-year MAPE model vs naive");
    for (const auto& h : f.value().horizons) {
        const std::string key = std::to_string(h.horizon) + "d";
        std::string accuracy = "n/a";
        const Json* m = json_find(metrics, key);
        const Json* mape = m ? json_find(*m, "mape") : nullptr;
        const Json* naive = m ? json_find(*m, "naive_mape") : nullptr;
        if (mape && naive && mape->is_number() && naive->is_number()) {
            char buf[64];
            std::snprintf(buf, sizeof buf, "%.2f %% vs %.2f %%", mape->get<double>(), naive->get<double>());
            accuracy = buf;
        }
        char interval[64], probs[64];
        std::snprintf(interval, sizeof interval, "[%.2f, %.2f] %d%%", h.lower, h.upper, static_cast<int>(h.level * 100 + 0.5));
        std::snprintf(probs, sizeof probs, "%.2f / %.2f / %.2f", h.p_bearish, h.p_neutral, h.p_bullish);
        std::printf("%-8s %10.2f %22s %+8.2f%%  %-8s %-22s %s\n", key.c_str(), h.price, interval, 100 * h.expected_return,
                    h.direction.c_str(), probs, accuracy.c_str());
    }
    return 0;
}

}  // namespace stockcast::cli
