// Fitting and evaluating the adaptive ensemble (ensemble.hpp) over the NSE price files (native
// only: library stockcast_native). `stockcast ensemble-fit` writes the spec from the validation
// period; `stockcast backtest --model KIND|all` walks the test year with it.
//
// Both walk every origin t of a stock the way Ensemble::predict does for a history ending at t:
// members' forecasts at the adaptation origins t-h-W+1 .. t-h (targets inside the history) give
// their errors, the rule gives weights, the weighted log return is the ensemble's. A member that
// cannot forecast at one of those origins or at t is excluded at t. The weighting and the
// calibrated forecast are the core's own functions (ensemble_weights, calibrated_forecast).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "stockcast/data.hpp"
#include "stockcast/ensemble.hpp"
#include "stockcast/error.hpp"

namespace stockcast {

struct EnsembleMembersConfig {
    std::string manifest_path;  // routes the LSTM member; lists the learners (factor_models)
    std::string prices_dir;     // <SYM>.csv files
    // Further network members: name -> model file (general networks get the stock's embedding row).
    std::vector<std::pair<std::string, std::string>> networks;
    bool verify_sha256 = true;
    std::vector<std::string> symbols;  // empty: every price file
};

// Every member's forecast log return at every row of one stock, per horizon.
struct MemberSeries {
    std::string symbol;
    PriceSeries prices;
    std::vector<std::string> names;  // members, "naive" last
    std::vector<std::string> kinds;  // "network" | "learner" | "naive"
    std::map<int, std::vector<std::vector<double>>> r;  // horizon -> member -> row -> log return (NaN: none)
    std::vector<std::string> notes;  // members unavailable for the whole stock, with reasons
};

// Loads the manifest's routed LSTM (member "lstm"), the extra networks and the learners
// ("learner_<kind>_<h>d" as member "<kind>").
class EnsembleMembers {
public:
    static Result<std::unique_ptr<EnsembleMembers>> load(const EnsembleMembersConfig& config);
    // Forecasts of rows first_row..end of the stock's file (earlier rows are context).
    Result<MemberSeries> series(const std::string& symbol, std::size_t first_row) const;
    std::vector<std::string> symbols() const;  // the price files, or config.symbols
    const std::vector<int>& horizons() const { return horizons_; }
    std::vector<std::string> member_names() const;

    struct Impl;
    ~EnsembleMembers();

private:
    std::unique_ptr<Impl> impl_;
    std::vector<int> horizons_;
};

struct EnsembleFitOptions {
    std::string from = "2018-07-01", to = "2020-06-30";  // validation origins; targets must be <= to as well
    std::string split = "2019-07-01";  // the direction confidence: fitted before, scored from here (held out)
    int window = 50;
    int volatility_window = 60;
    double neutral_band = 0.005;
    std::vector<double> levels{0.8, 0.9, 0.95};
};

// The spec document (format "stockcast-ensemble", ensemble.hpp), with every candidate rule's
// validation score under "selection" and validation metrics per forecaster.
Result<Json> fit_ensemble(const EnsembleMembers& members, const EnsembleFitOptions& options, std::string* log);

// One test row of one forecaster ("ensemble" or a member's name).
struct KindRow {
    std::string symbol, origin, kind;
    int horizon = 0;
    double close = 0, predicted = 0, lower = 0, upper = 0, actual = 0;
    std::string direction, actual_direction;
    double p_bearish = 0, p_neutral = 0, p_bullish = 0;
    double weight = 0;  // the member's weight in the ensemble at that origin (1 for the ensemble)
};

// Origins whose date lies in [from, to] and whose target is inside the file; interval level 0.9.
// kinds: the forecasters to write (empty: all).
Result<std::vector<KindRow>> backtest_kinds(const EnsembleMembers& members, const EnsembleSpec& spec, const std::string& from,
                                            const std::string& to, const std::vector<std::string>& kinds);

Status write_kind_rows_csv(const std::vector<KindRow>& rows, const std::string& path);

}  // namespace stockcast
