// The adaptive ensemble (issue 15): network members (the routed LSTM, the Transformer: any
// network Model), the five classical learners of the horizon (factor_model.hpp) and the naive
// "no change" forecast (log return 0), weighted by their errors over the last `window` origins
// of the given history whose target lies inside it (the original service's adaptation window, 50).
//
// For a history c[0..n-1], horizon h and window W the adaptation origins are
//   t = n-1-h-(W-1) .. n-1-h,  actual a(t) = ln(c[t+h] / c[t]),
// and a member's error at t is its absolute percentage error |exp(r_m(t) - a(t)) - 1|.
// A member that cannot forecast at every one of those origins and at n-1 (it errors, lacks history,
// lacks the high/low/volume it needs, does not serve the horizon, or the spec does not calibrate it)
// is excluded and named with its reason. The weights (WeightRule) come from the members' recent
// errors; the ensemble's log return is sum_m w_m r_m(n-1).
//
// Intervals are split-conformal: quantiles of validation residuals (actual - predicted log return)
// normalised by sigma·sqrt(h), sigma = window_volatility over the last `volatility_window` closes
// (features.hpp), stored per horizon and level for the ensemble and for every member (so one
// member's forecast has an interval of its own). Direction probabilities are a multinomial logistic
// fit on validation (DirectionCalibration); the direction is the most probable class.
// Everything fitted lives in the ensemble spec (JSON, docs/ensemble.md), written by
// `stockcast ensemble-fit` (ensemble_fit.hpp) and checked by parse_ensemble_spec.
#pragma once

#include <array>
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <vector>

#include "stockcast/error.hpp"
#include "stockcast/factor_features.hpp"
#include "stockcast/factor_model.hpp"
#include "stockcast/forecast.hpp"
#include "stockcast/json.hpp"
#include "stockcast/model.hpp"

namespace stockcast {

inline constexpr int kEnsembleMaxWindow = 1000;
inline constexpr std::size_t kEnsembleCacheEntries = 64;  // (key, horizon) entries kept per Ensemble
inline constexpr const char* kNaiveMember = "naive";

// Recent errors -> weights. E_m = the decay-weighted mean error of member m over the window
// (weight decay^age, age 0 = newest origin), S = the naive member's E (or, when it is 0, the mean
// of all E; all 0: equal weights).
//   "hedge":         w_m ∝ exp(-eta · n_eff · E_m / S), n_eff = sum of the decay weights (a Hedge
//                    update over the window's losses, each loss in units of naive's error)
//   "inverse_error": w_m ∝ (E_m / S + 1e-6)^(-eta)
//   "equal":         w_m = 1 / M
// The ensemble's log return is shrink · sum_m w_m r_m: shrink in [0, 1] pulls it toward "no change"
// (chosen on validation with the rule, as the LSTMs' shrinkage is; 1 = none).
struct WeightRule {
    std::string kind = "hedge";
    double eta = 0.1;
    double decay = 1.0;
    double shrink = 1.0;
};

// Logits of bearish and bullish against neutral (logit 0): b0 + bz·z + bu·u, with z = r / (sigma·sqrt(h))
// and u = tau / (sigma·sqrt(h)), tau the neutral half-width neutral_band·sqrt(h).
struct DirectionCalibration {
    std::array<double, 3> bearish{{0, 0, 0}}, bullish{{0, 0, 0}};
};

// What validation says about one forecaster (the ensemble or one member) at one horizon.
struct ForecasterCalibration {
    std::vector<double> lower, upper;  // per spec level: normalised residual quantiles
    DirectionCalibration direction;
    std::string confidence = "no_skill";  // "no_skill" | "low" | "medium" | "high" (direction skill on validation)
    Json validation = Json::object();     // its validation metrics (free form, for people)
};

struct EnsembleHorizonSpec {
    int horizon = 0;
    WeightRule rule;
    ForecasterCalibration ensemble;
    std::vector<std::string> member_names;                  // calibrated members
    std::vector<ForecasterCalibration> members;             // parallel to member_names
    const ForecasterCalibration* member(const std::string& name) const;
};

struct EnsembleSpec {
    int window = 50;
    int volatility_window = 60;
    double neutral_band = 0.005;
    std::vector<double> levels;
    std::vector<EnsembleHorizonSpec> horizons;
    Json document;  // the whole spec as read
    const EnsembleHorizonSpec* find(int horizon) const;
};

// Checks everything the predictions use (counts, finite numbers, ordered quantiles, known rule).
Result<EnsembleSpec> parse_ensemble_spec(const std::uint8_t* data, std::size_t size);
Result<EnsembleSpec> ensemble_spec_from_json(const Json& doc);

// The weights of members with errors[m] (one APE per window origin, oldest first). Sums to 1.
std::vector<double> ensemble_weights(const WeightRule& rule, const std::vector<std::vector<double>>& errors,
                                     int naive_index);

// shrink · sum_j weights[j] · forecasts[j].
double ensemble_log_return(const WeightRule& rule, const std::vector<double>& weights, const std::vector<double>& forecasts);

// sigma for normalising at origin t (window_volatility over min(volatility_window, t + 1) closes).
double ensemble_sigma(const double* close, std::size_t t, int volatility_window);

// A forecast from a predicted log return and its forecaster's calibration.
Result<HorizonForecast> calibrated_forecast(const ForecasterCalibration& cal, const EnsembleSpec& spec, double last_close,
                                            double log_return, double sigma, int horizon, double level);
// {bearish, neutral, bullish} of the calibrated direction model.
DirectionProbabilities calibrated_direction(const DirectionCalibration& cal, double z, double u);

// Member forecasts (log returns) at the given origins (rows) of a history, each from the rows up to
// its origin only; the networks' windows go through the network in one call (chunks of 2048).
// NaN where the member cannot forecast; an Error when it cannot at the last origin listed, or at all.
// Networks: one vector per requested horizon (every horizon from the same network call).
Result<std::vector<std::vector<double>>> network_log_returns(const Model& model, int stock_id, const OhlcvView& bars,
                                                             const std::vector<std::size_t>& origins,
                                                             const std::vector<int>& horizons);
Result<std::vector<double>> learner_log_returns(const FactorModel& model, const OhlcvView& bars,
                                                const std::vector<std::size_t>& origins);

struct EnsembleMemberAnswer {
    std::string name;
    std::string kind;        // "network" | "learner" | "naive"
    bool included = false;
    std::string reason;      // why excluded ("code: message"); empty when included
    double weight = 0;       // 0 when excluded
    double recent_error = 0; // MAPE (percent) over the adaptation window; NaN when excluded
    bool has_forecast = false;
    HorizonForecast forecast;  // its own forecast with its own interval (when has_forecast)
};

struct EnsembleAnswer {
    HorizonForecast forecast;
    std::vector<EnsembleMemberAnswer> members;
    std::string confidence;  // the ensemble's direction skill on validation at this horizon
    bool cached = false;     // the members' errors came from the cache
    double last_close = 0;
    int window = 0;
};

struct EnsembleRequest {
    std::string key;  // cache key (e.g. "SCOM|2021-06-30"); empty: not cached
    std::vector<double> high, low, close, volume;  // oldest first; high/low/volume empty or one per close
    int horizon = 0;
    double level = 0.9;
};

// The object the ensemble module's binding hands to JavaScript. Nothing throws: construction
// records a bad spec (error()), every call returns a Result.
class Ensemble {
public:
    Ensemble(const std::uint8_t* spec, std::size_t size);
    explicit Ensemble(Result<EnsembleSpec> spec);
    ~Ensemble();
    Ensemble(const Ensemble&) = delete;
    Ensemble& operator=(const Ensemble&) = delete;

    const Error* error() const { return spec_ ? nullptr : &spec_.error(); }
    const EnsembleSpec* spec() const { return spec_ ? &spec_.value() : nullptr; }

    // A network member from model-file bytes; stock_id: embedding row for general networks, -1 unseen.
    // Replaces a member of the same name. Clears the cache.
    Status add_network(const std::string& name, const std::uint8_t* data, std::size_t size, int stock_id);
    Status add_network(const std::string& name, Model model, int stock_id);
    // A classical learner (its file's horizon says which horizon it serves); replaces the same
    // (name, horizon). Clears the cache.
    Status add_learner(const std::string& name, const std::uint8_t* data, std::size_t size);
    Status add_learner(const std::string& name, FactorModel model);

    Result<EnsembleAnswer> predict(const EnsembleRequest& request);

    std::size_t cache_size() const { return cache_.size(); }
    static int live();

private:
    struct NetworkMember {
        std::string name;
        std::shared_ptr<const Model> model;
        int stock_id = -1;
    };
    struct LearnerMember {
        std::string name;
        std::shared_ptr<const FactorModel> model;
    };
    // One member's part of a prediction that depends only on the history and horizon.
    struct MemberState {
        std::string name, kind, reason;
        bool usable = false;
        double now = 0;                 // log return forecast at the last origin
        std::vector<double> errors;     // APE per window origin, oldest first
    };
    struct CacheEntry {
        std::string key;
        int horizon = 0;
        std::uint64_t fingerprint = 0;
        std::vector<MemberState> members;
    };

    std::vector<MemberState> member_states(const EnsembleHorizonSpec& hs, const OhlcvView& bars) const;

    Result<EnsembleSpec> spec_;
    std::vector<NetworkMember> networks_;
    std::vector<LearnerMember> learners_;
    std::list<CacheEntry> cache_;  // most recently used first, at most kEnsembleCacheEntries
};

}  // namespace stockcast
