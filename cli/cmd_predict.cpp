// stockcast predict: a forecast for one symbol from the shipped models and price files, with
// the model's held-out accuracy beside the naive "no change" forecast.
#include <cctype>
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
#include "stockcast/routing.hpp"
#include "stockcast/sha256.hpp"

namespace stockcast::cli {
namespace {

const char* const kUsage =
    "usage: stockcast predict SYMBOL [--models DIR] [--prices DIR] [--level 0.8|0.9|0.95] [--model KIND]\n"
    "  --model KIND   auto (default: the routed LSTM) | lstm | transformer | ensemble | random_forest |\n"
    "                 extra_trees | gradient_boosting | svr | mlp | naive (docs/ensemble.md)\n"
    "  --models DIR   folder with manifest.json and the model files (default: models)\n"
    "  --prices DIR   folder with <SYMBOL>.csv price files (default: models/data/nse/prices)\n";

int fail(const std::string& message) {
    std::fprintf(stderr, "stockcast predict: %s\n", message.c_str());
    return 1;
}

}  // namespace

int cmd_predict(int argc, char** argv) {
    std::string symbol, models = "models", prices = "models/data/nse/prices", kind = "auto";
    double level = 0.9;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if ((a == "--models" || a == "--prices" || a == "--level" || a == "--model") && i + 1 >= argc) return fail(a + " needs a value");
        if (a == "--models") models = argv[++i];
        else if (a == "--model") {
            kind = argv[++i];
            if (!is_model_kind(kind)) return fail("invalid_input: --model '" + kind + "' is not a model kind\n" + kUsage);
        }
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

    for (char& c : symbol) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));  // tickers are upper case
    if (kind != "auto" && kind != "lstm") return predict_kind(symbol, kind, models, prices, level);

    auto manifest = load_manifest(models + "/manifest.json");
    if (!manifest) return fail(manifest.error().message);
    // A symbol with a price file but no entry in the manifest is served by the general model.
    auto series = load_price_csv(prices + "/" + symbol + ".csv", symbol);
    auto routed = route(manifest.value().routes(), symbol, series.ok());
    if (!routed) return fail(std::string(code_name(routed.error().code)) + ": " + routed.error().message);
    if (!series) return fail(series.error().message);
    const PriceSeries& ps = series.value();
    const Route& rt = routed.value();
    const ManifestStock* entry = manifest.value().find(rt.symbol);
    auto bytes = read_text_file(models + "/" + rt.file);
    if (!bytes) return fail(bytes.error().message);
    const auto* data = reinterpret_cast<const std::uint8_t*>(bytes.value().data());
    const std::string expected_sha = manifest.value().sha256_of(rt.file);
    if (!expected_sha.empty() && to_hex(sha256(data, bytes.value().size())) != expected_sha)
        return fail("integrity_error: " + rt.file + " does not match the SHA-256 in the manifest");
    auto model = parse_model(data, bytes.value().size());
    if (!model) return fail(rt.file + ": " + code_name(model.error().code) + ": " + model.error().message);

    ForecastOptions options;
    options.level = level;
    const bool general_model = model.value().net.arch.has_embedding();
    const int stock_id = general_model ? model.value().stock_id(rt.symbol) : -1;
    const std::string model_type = served_model_type(rt.model_type, general_model, stock_id);
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

    std::printf("%s (%s, %s) — model %s (%s, confidence %s), data up to %s, last close %.2f\n", rt.symbol.c_str(),
                entry ? entry->name.c_str() : "not in the manifest", entry ? entry->sector.c_str() : "no sector",
                rt.file.c_str(), model_type.c_str(), confidence_of(model_type), ps.dates.back().c_str(), f.value().last_close);
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
