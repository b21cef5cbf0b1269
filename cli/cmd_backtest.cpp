// stockcast backtest: rolling-origin forecasts of the manifest's models over a price folder.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "commands.hpp"
#include "stockcast/backtest.hpp"
#include "stockcast/data_files.hpp"

namespace stockcast::cli {

namespace {
const char* const kBacktestUsage =
    "usage: stockcast backtest --manifest models/manifest.json --prices DIR --from DATE --to DATE --out FILE.csv\n"
    "  --manifest FILE   manifest listing the models and which serves each symbol\n"
    "  --prices DIR      folder of <SYM>.csv price files (layout of models/data/nse/prices)\n"
    "  --from, --to      origin dates (inclusive); earlier history is context only\n"
    "  --out FILE        CSV: symbol,origin,horizon,close,predicted,lower90,upper90,actual,model_type\n"
    "  --no-verify       skip the SHA-256 check of model files against the manifest\n"
    "  --kernel K        LSTM arithmetic: float32 (default, the reference) or int16 (the package's default)\n"
    "  --model-file FILE instead of --manifest: this one model serves every symbol (e.g. models/transformer.stkm)\n"
    "  --model KIND|all  the forecasters of the ensemble (docs/ensemble.md): ensemble, lstm, transformer, a learner,\n"
    "                    naive, or all; CSV columns symbol,origin,horizon,kind,close,predicted,lower90,upper90,actual,\n"
    "                    direction,actual_direction,p_bearish,p_neutral,p_bullish,weight\n";
}

int cmd_backtest(int argc, char** argv) {
    BacktestConfig cfg;
    std::string out, kind;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--help" || a == "-h") {
            std::fputs(kBacktestUsage, stdout);
            return 0;
        }
        if (a == "--no-verify") {
            cfg.verify_sha256 = false;
            continue;
        }
        if (i + 1 >= argc) {
            std::fprintf(stderr, "stockcast backtest: %s needs a value\n", a.c_str());
            return 2;
        }
        const std::string v = argv[++i];
        if (a == "--manifest")
            cfg.manifest_path = v;
        else if (a == "--model-file")
            cfg.model_file = v;
        else if (a == "--prices")
            cfg.prices_dir = v;
        else if (a == "--from" && is_iso_date(v))
            cfg.from = v;
        else if (a == "--to" && is_iso_date(v))
            cfg.to = v;
        else if (a == "--out")
            out = v;
        else if (auto k = nn::kernel_named(v); a == "--kernel" && k)
            cfg.kernel = k.value();
        else if (a == "--model" && (v == "all" || is_model_kind(v)))
            kind = v;
        else {
            std::fprintf(stderr, "stockcast backtest: bad option or value: %s %s\n%s", a.c_str(), v.c_str(),
                         kBacktestUsage);
            return 2;
        }
    }
    if ((cfg.manifest_path.empty() == cfg.model_file.empty()) || cfg.prices_dir.empty() || cfg.from.empty() || cfg.to.empty() || out.empty()) {
        std::fprintf(stderr, "stockcast backtest: need --manifest (or --model-file), --prices, --from, --to and --out\n%s",
                     kBacktestUsage);
        return 2;
    }
    if (!kind.empty()) return backtest_kind(kind, cfg.manifest_path, cfg.prices_dir, cfg.from, cfg.to, out);
    auto res = run_backtest(cfg);
    if (!res) {
        std::fprintf(stderr, "stockcast backtest: %s: %s\n", code_name(res.error().code), res.error().message.c_str());
        return 1;
    }
    if (Status s = write_backtest_csv(res.value().rows, out); !s) {
        std::fprintf(stderr, "stockcast backtest: %s\n", s.error().message.c_str());
        return 1;
    }
    for (const auto& s : res.value().skipped) std::fprintf(stderr, "  skipped %s\n", s.c_str());
    std::printf("%zu rows -> %s\n", res.value().rows.size(), out.c_str());
    std::printf("horizon  symbols    rows  MAPE(model)  MAPE(naive)  median ratio  cov90 pooled  cov90 median\n");
    for (const auto& h : res.value().summary)
        std::printf("%5dd  %8zu  %6zu  %10.3f%%  %10.3f%%  %12.3f  %11.1f%%  %11.1f%%\n", h.horizon, h.symbols, h.rows,
                    h.median_mape, h.median_naive_mape, h.median_ratio, 100 * h.coverage, 100 * h.median_coverage);
    return 0;
}

}  // namespace stockcast::cli
