// Rolling-origin backtest (native only: library stockcast_native) of the models listed in a
// manifest over a folder of price files (layout of models/data/nse/prices/<SYM>.csv). For every
// file, every origin row whose date lies in [from, to] (history before `from` is context only)
// and every horizon h of the serving model, one row with actual = the close h rows later in the
// same file (skipped beyond the file end).
// Routing: a symbol with an entry in the manifest uses that entry's file (model_type
// "stock_specific" or "general"); any other symbol gets the manifest's general model with the
// neutral embedding ("general_unseen").
#pragma once

#include <string>
#include <vector>

#include "stockcast/error.hpp"
#include "stockcast/routing.hpp"
#include "stockcast/model.hpp"

namespace stockcast {

struct ManifestStock {
    std::string symbol, name, sector;
    std::string file;        // model file serving it, relative to the manifest's folder
    std::string model_type;  // "stock_specific" | "general"
    std::string sha256;      // of `file` (may be empty)
    std::string fallback_file;  // stock_specific: the manifest's fallback entry, if any
};

struct Manifest {
    std::string dir;                 // folder of the manifest file
    std::string general_file;        // the general model, relative to dir
    std::string general_sha256;
    std::vector<ManifestStock> stocks;

    RouteTable routes() const;  // what routing.hpp's route() needs of it
    const ManifestStock* find(const std::string& symbol) const;  // as listed (exact match)
    std::string sha256_of(const std::string& file) const;       // empty when not listed
};

// Reads models/manifest.json (format_version 1): "stocks": [{symbol, name, sector, file,
// model_type, sha256}], "models": [{file, kind, sha256}] with one kind "general".
Result<Manifest> load_manifest(const std::string& path);

struct BacktestConfig {
    std::string manifest_path;
    std::string prices_dir;
    std::string from, to;            // ISO dates, inclusive
    double level = 0.9;              // interval level written as lower90/upper90
    bool verify_sha256 = true;
    nn::Kernel kernel = nn::Kernel::float32;  // the LSTM arithmetic (use_kernel, as the package's option)
    // When set: this one model file serves every symbol (no manifest; rows' model_type is its
    // meta.kind), e.g. the pooled transformer. Its SHA-256 is not checked against a manifest.
    std::string model_file;
};

struct BacktestRow {
    std::string symbol, origin;
    int horizon = 0;
    double close = 0, predicted = 0, lower = 0, upper = 0, actual = 0;
    std::string model_type;
    std::string direction, actual_direction;  // forecast's class and the realised move's (forecast.hpp)
};

struct HorizonSummary {
    int horizon = 0;
    std::size_t rows = 0, symbols = 0;
    double median_mape = 0, median_naive_mape = 0;  // medians over symbols, percent
    double median_ratio = 0;                        // median over symbols with naive MAPE > 0
    double coverage = 0;                            // pooled over all rows
    double median_coverage = 0;                     // median over symbols
};

struct BacktestResult {
    std::vector<BacktestRow> rows;
    std::vector<HorizonSummary> summary;
    std::vector<std::string> skipped;  // "SYM: reason" for files that produced no rows
};

Result<BacktestResult> run_backtest(const BacktestConfig& config);

// Per-horizon summary of rows (what run_backtest puts in `summary`).
std::vector<HorizonSummary> summarize_backtest(const std::vector<BacktestRow>& rows);

// CSV with header symbol,origin,horizon,close,predicted,lower90,upper90,actual,model_type.
Status write_backtest_csv(const std::vector<BacktestRow>& rows, const std::string& path);

}  // namespace stockcast
