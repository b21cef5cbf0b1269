#include "stockcast/ensemble.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "stockcast/features.hpp"

namespace stockcast {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
int g_live_ensembles = 0;

Error spec_error(const std::string& what) { return make_error(ErrorCode::bad_header, {"ensemble spec: ", what}); }

bool read_number(const Json& j, const char* key, double& out) {
    const Json* v = json_find(j, key);
    if (!v || !v->is_number()) return false;
    out = v->get<double>();
    return std::isfinite(out);
}

bool read_numbers(const Json* j, std::vector<double>& out) {
    if (!j || !j->is_array()) return false;
    out.clear();
    for (const Json& v : *j) {
        if (!v.is_number()) return false;
        out.push_back(v.get<double>());
        if (!std::isfinite(out.back())) return false;
    }
    return true;
}

Result<ForecasterCalibration> read_calibration(const Json& j, std::size_t levels, const std::string& where) {
    ForecasterCalibration c;
    if (!j.is_object()) return spec_error(where + " must be an object");
    if (!read_numbers(json_find(j, "lower"), c.lower) || !read_numbers(json_find(j, "upper"), c.upper) ||
        c.lower.size() != levels || c.upper.size() != levels)
        return spec_error(where + ": lower/upper need one finite number per level");
    for (std::size_t k = 0; k < levels; ++k)
        if (c.lower[k] > 0 || c.upper[k] < 0) return spec_error(where + ": needs lower <= 0 <= upper");
    const Json* d = json_find(j, "direction");
    std::vector<double> bear, bull;
    if (!d || !read_numbers(json_find(*d, "bearish"), bear) || !read_numbers(json_find(*d, "bullish"), bull) ||
        bear.size() != 3 || bull.size() != 3)
        return spec_error(where + ": direction needs bearish and bullish coefficient triples");
    std::copy(bear.begin(), bear.end(), c.direction.bearish.begin());
    std::copy(bull.begin(), bull.end(), c.direction.bullish.begin());
    const Json* conf = json_find(j, "confidence");
    if (!conf || !conf->is_string()) return spec_error(where + ": confidence missing");
    c.confidence = conf->get<std::string>();
    if (c.confidence != "no_skill" && c.confidence != "low" && c.confidence != "medium" && c.confidence != "high")
        return spec_error(where + ": unknown confidence '" + c.confidence + "'");
    if (const Json* v = json_find(j, "validation")) c.validation = *v;
    return c;
}

// FNV-1a over the bytes of the arrays: a cache entry only serves the very history it was made from.
std::uint64_t fingerprint(const EnsembleRequest& r) {
    std::uint64_t h = 1469598103934665603ull;
    auto mix = [&](const std::vector<double>& v) {
        const auto* p = reinterpret_cast<const unsigned char*>(v.data());
        for (std::size_t i = 0; i < v.size() * sizeof(double); ++i) h = (h ^ p[i]) * 1099511628211ull;
        h = (h ^ v.size()) * 1099511628211ull;
    };
    mix(r.high);
    mix(r.low);
    mix(r.close);
    mix(r.volume);
    return h;
}

std::string reason_of(const Error& e) { return std::string(code_name(e.code)) + ": " + e.message; }

}  // namespace

// ------------------------------------------------------------------------------------- spec

const ForecasterCalibration* EnsembleHorizonSpec::member(const std::string& name) const {
    for (std::size_t i = 0; i < member_names.size(); ++i)
        if (member_names[i] == name) return &members[i];
    return nullptr;
}

const EnsembleHorizonSpec* EnsembleSpec::find(int horizon) const {
    for (const auto& h : horizons)
        if (h.horizon == horizon) return &h;
    return nullptr;
}

Result<EnsembleSpec> ensemble_spec_from_json(const Json& doc) {
    if (!doc.is_object()) return spec_error("not a JSON object");
    const Json* format = json_find(doc, "format");
    if (!format || !format->is_string() || format->get<std::string>() != "stockcast-ensemble")
        return spec_error("format must be \"stockcast-ensemble\"");
    const Json* version = json_find(doc, "version");
    if (!version || json_int(*version) != 1) return make_error(ErrorCode::unsupported_version, "ensemble spec: version must be 1");
    EnsembleSpec s;
    const Json* w = json_find(doc, "window");
    const Json* vw = json_find(doc, "volatility_window");
    if (!w || !json_int(*w) || *json_int(*w) < 1 || *json_int(*w) > kEnsembleMaxWindow)
        return spec_error(cat({"window must be an integer in [1, ", kEnsembleMaxWindow, "]"}));
    if (!vw || !json_int(*vw) || *json_int(*vw) < 2 || *json_int(*vw) > kEnsembleMaxWindow)
        return spec_error("volatility_window must be an integer >= 2");
    s.window = static_cast<int>(*json_int(*w));
    s.volatility_window = static_cast<int>(*json_int(*vw));
    if (!read_number(doc, "neutral_band", s.neutral_band) || s.neutral_band < 0) return spec_error("neutral_band must be >= 0");
    if (!read_numbers(json_find(doc, "levels"), s.levels) || s.levels.empty()) return spec_error("levels missing");
    for (double l : s.levels)
        if (!(l > 0 && l < 1)) return spec_error("levels must lie in (0, 1)");
    const Json* hs = json_find(doc, "horizons");
    if (!hs || !hs->is_array() || hs->empty()) return spec_error("horizons must be a non-empty array");
    for (const Json& hj : *hs) {
        EnsembleHorizonSpec h;
        const Json* hv = json_find(hj, "horizon");
        if (!hv || !json_int(*hv) || *json_int(*hv) < 1 || *json_int(*hv) > kMaxHorizon) return spec_error("horizon must be an integer >= 1");
        h.horizon = static_cast<int>(*json_int(*hv));
        if (s.find(h.horizon)) return spec_error(cat({"horizon ", h.horizon, " listed twice"}));
        const std::string where = std::to_string(h.horizon) + "d";
        const Json* rule = json_find(hj, "rule");
        const Json* kind = rule ? json_find(*rule, "kind") : nullptr;
        if (!kind || !kind->is_string()) return spec_error(where + ": rule.kind missing");
        h.rule.kind = kind->get<std::string>();
        if (h.rule.kind != "hedge" && h.rule.kind != "inverse_error" && h.rule.kind != "equal")
            return spec_error(where + ": unknown rule '" + h.rule.kind + "'");
        if (!read_number(*rule, "eta", h.rule.eta) || h.rule.eta < 0 || !read_number(*rule, "decay", h.rule.decay) ||
            !(h.rule.decay > 0 && h.rule.decay <= 1))
            return spec_error(where + ": rule needs eta >= 0 and decay in (0, 1]");
        if (json_find(*rule, "shrink") && (!read_number(*rule, "shrink", h.rule.shrink) || h.rule.shrink < 0 || h.rule.shrink > 1))
            return spec_error(where + ": rule.shrink must lie in [0, 1]");
        const Json* ens = json_find(hj, "ensemble");
        if (!ens) return spec_error(where + ": ensemble calibration missing");
        auto ec = read_calibration(*ens, s.levels.size(), where + ".ensemble");
        if (!ec) return ec.error();
        h.ensemble = std::move(ec.value());
        const Json* members = json_find(hj, "members");
        if (!members || !members->is_object() || members->empty()) return spec_error(where + ": members missing");
        for (auto it = members->begin(); it != members->end(); ++it) {
            auto mc = read_calibration(it.value(), s.levels.size(), where + ".members." + it.key());
            if (!mc) return mc.error();
            h.member_names.push_back(it.key());
            h.members.push_back(std::move(mc.value()));
        }
        if (!h.member(kNaiveMember)) return spec_error(where + ": the naive member must be calibrated");
        s.horizons.push_back(std::move(h));
    }
    s.document = doc;
    return s;
}

Result<EnsembleSpec> parse_ensemble_spec(const std::uint8_t* data, std::size_t size) {
    if (!data || size == 0) return make_error(ErrorCode::truncated, "ensemble spec: empty");
    auto doc = parse_json(std::string_view(reinterpret_cast<const char*>(data), size));
    if (!doc) return make_error(ErrorCode::bad_header, {"ensemble spec: ", doc.error().message});
    return ensemble_spec_from_json(doc.value());
}

// ------------------------------------------------------------------------------------- rule

std::vector<double> ensemble_weights(const WeightRule& rule, const std::vector<std::vector<double>>& errors,
                                     int naive_index) {
    const std::size_t M = errors.size();
    std::vector<double> w(M, M ? 1.0 / static_cast<double>(M) : 0.0);
    if (M == 0 || rule.kind == "equal") return w;
    std::vector<double> E(M, 0.0);
    double n_eff = 0;
    for (std::size_t m = 0; m < M; ++m) {
        const auto& e = errors[m];
        double sum = 0, wsum = 0, d = 1;
        for (std::size_t k = e.size(); k-- > 0; d *= rule.decay) {  // newest last: age 0
            sum += d * e[k];
            wsum += d;
        }
        E[m] = wsum > 0 ? sum / wsum : 0;
        n_eff = wsum;
    }
    double S = naive_index >= 0 && static_cast<std::size_t>(naive_index) < M ? E[static_cast<std::size_t>(naive_index)] : 0;
    if (!(S > 0)) {
        S = 0;
        for (double e : E) S += e / static_cast<double>(M);
    }
    if (!(S > 0)) return w;  // every member exact over the window: nothing to tell them apart
    double total = 0;
    if (rule.kind == "inverse_error") {
        for (std::size_t m = 0; m < M; ++m) total += (w[m] = std::pow(E[m] / S + 1e-6, -rule.eta));
    } else {  // hedge
        double best = *std::min_element(E.begin(), E.end());
        for (std::size_t m = 0; m < M; ++m) total += (w[m] = std::exp(-rule.eta * n_eff * (E[m] - best) / S));
    }
    for (double& x : w) x /= total;
    return w;
}

double ensemble_log_return(const WeightRule& rule, const std::vector<double>& weights, const std::vector<double>& forecasts) {
    double r = 0;
    for (std::size_t j = 0; j < weights.size() && j < forecasts.size(); ++j) r += weights[j] * forecasts[j];
    return rule.shrink * r;
}

double ensemble_sigma(const double* close, std::size_t t, int volatility_window) {
    const int w = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(volatility_window), t + 1));
    return window_volatility(close, t, w);
}

DirectionProbabilities calibrated_direction(const DirectionCalibration& c, double z, double u) {
    const double lb = c.bearish[0] + c.bearish[1] * z + c.bearish[2] * u;
    const double lu = c.bullish[0] + c.bullish[1] * z + c.bullish[2] * u;
    const double mx = std::max({lb, lu, 0.0});
    const double eb = std::exp(lb - mx), en = std::exp(-mx), eu = std::exp(lu - mx);
    const double s = eb + en + eu;
    return {eb / s, en / s, eu / s};
}

Result<HorizonForecast> calibrated_forecast(const ForecasterCalibration& cal, const EnsembleSpec& spec, double last_close,
                                            double r, double sigma, int horizon, double level) {
    int li = -1;
    for (std::size_t k = 0; k < spec.levels.size(); ++k)
        if (std::abs(spec.levels[k] - level) < 1e-9) li = static_cast<int>(k);
    if (li < 0) {
        std::string lv;
        for (double l : spec.levels) lv += (lv.empty() ? "" : ", ") + number_text(l);
        return input_error("level", {level, " is not among the ensemble's levels (", lv, ")"});
    }
    if (!std::isfinite(r) || !std::isfinite(sigma) || sigma <= 0 || !std::isfinite(last_close) || last_close <= 0)
        return make_error(ErrorCode::non_finite, "ensemble forecast: non-finite log return, volatility or close");
    HorizonForecast f;
    f.horizon = horizon;
    f.log_return = r;
    f.expected_return = std::expm1(r);
    f.price = last_close * std::exp(r);
    f.level = spec.levels[static_cast<std::size_t>(li)];
    const double k = sigma * std::sqrt(static_cast<double>(horizon));
    f.lower = last_close * std::exp(r + k * cal.lower[static_cast<std::size_t>(li)]);
    f.upper = last_close * std::exp(r + k * cal.upper[static_cast<std::size_t>(li)]);
    const double tau = spec.neutral_band * std::sqrt(static_cast<double>(horizon));
    const DirectionProbabilities p = calibrated_direction(cal.direction, r / k, tau / k);
    f.p_bearish = p.bearish;
    f.p_neutral = p.neutral;
    f.p_bullish = p.bullish;
    f.direction = p.bullish > p.neutral && p.bullish > p.bearish ? "bullish" : p.bearish > p.neutral && p.bearish >= p.bullish ? "bearish" : "neutral";
    f.confidence_score = confidence_score(f);
    return f;
}

// ------------------------------------------------------------------------------------- members

Result<std::vector<std::vector<double>>> network_log_returns(const Model& model, int stock_id, const OhlcvView& bars,
                                                             const std::vector<std::size_t>& origins,
                                                             const std::vector<int>& horizons) {
    const auto& hz = model.output.horizons;
    std::vector<std::size_t> hi;
    for (int h : horizons) {
        const auto it = std::find(hz.begin(), hz.end(), h);
        if (it == hz.end()) return input_error("horizon", {"the network does not forecast ", h, " days"});
        hi.push_back(static_cast<std::size_t>(it - hz.begin()));
    }
    for (std::size_t t : origins)
        if (t >= bars.size) return input_error("origins", "outside the history");
    std::vector<std::vector<double>> out(horizons.size(), std::vector<double>(origins.size(), kNaN));
    ForecastOptions options;
    options.level = model.intervals.levels.empty() ? 0.9 : model.intervals.levels[0];
    constexpr std::size_t kChunk = 2048;  // windows per network call
    for (std::size_t start = 0; start < origins.size(); start += kChunk) {
        const std::size_t end = std::min(origins.size(), start + kChunk);
        std::vector<HistoryView> views;
        std::vector<int> ids;
        for (std::size_t i = start; i < end; ++i) {
            views.push_back(HistoryView{bars.close, bars.volume, origins[i] + 1});
            ids.push_back(stock_id);
        }
        auto r = forecast_batch(model, ids, views, options);
        if (!r) return r.error();
        for (std::size_t i = start; i < end; ++i) {
            const auto& f = r.value()[i - start];
            if (f)
                for (std::size_t k = 0; k < hi.size(); ++k) out[k][i] = f.value().horizons[hi[k]].log_return;
            else if (i + 1 == origins.size())
                return f.error();  // the latest origin decides the reason
        }
    }
    return out;
}

Result<std::vector<double>> learner_log_returns(const FactorModel& model, const OhlcvView& bars,
                                                const std::vector<std::size_t>& origins) {
    if (model.is_classifier() || model.horizon < 1) return input_error("learner", "not a forward-return regression");
    if (!bars.high || !bars.low || !bars.volume) return input_error("history", "the learners need high, low and volume");
    std::vector<double> out(origins.size(), kNaN), x(model.features.size()), scratch;
    for (std::size_t i = 0; i < origins.size(); ++i) {
        if (origins[i] >= bars.size) return input_error("origins", "outside the history");
        Status s = factor_features_at(bars, origins[i], model.features, x.data());
        auto p = s ? predict_factors(model, x, /*clamp=*/true, scratch) : Result<FactorPrediction>(s.error());
        if (p) out[i] = p.value().value;
        else if (i + 1 == origins.size()) return p.error();  // the latest origin decides the reason
    }
    return out;
}

// ------------------------------------------------------------------------------------- Ensemble

Ensemble::Ensemble(const std::uint8_t* spec, std::size_t size) : Ensemble(parse_ensemble_spec(spec, size)) {}
Ensemble::Ensemble(Result<EnsembleSpec> spec) : spec_(std::move(spec)) { ++g_live_ensembles; }
Ensemble::~Ensemble() { --g_live_ensembles; }
int Ensemble::live() { return g_live_ensembles; }

Status Ensemble::add_network(const std::string& name, const std::uint8_t* data, std::size_t size, int stock_id) {
    auto m = parse_model(data, size);
    if (!m) return m.error();
    return add_network(name, std::move(m.value()), stock_id);
}

Status Ensemble::add_network(const std::string& name, Model model, int stock_id) {
    if (!spec_) return spec_.error();
    if (name.empty() || name == kNaiveMember) return input_error("name", "a network member needs a name other than 'naive'");
    if (Status s = validate_forecast_model(model); !s) return s.error();
    if (model.net.arch.has_embedding() && (stock_id < -1 || stock_id >= model.net.arch.embedding_count))
        return input_error("stockId", {"embedding row ", stock_id, " outside [-1, ", model.net.arch.embedding_count, ")"});
    networks_.erase(std::remove_if(networks_.begin(), networks_.end(), [&](const NetworkMember& n) { return n.name == name; }),
                    networks_.end());
    networks_.push_back(NetworkMember{name, std::make_shared<const Model>(std::move(model)), stock_id});
    cache_.clear();
    return Ok{};
}

Status Ensemble::add_learner(const std::string& name, const std::uint8_t* data, std::size_t size) {
    auto m = parse_factor_model(data, size);
    if (!m) return m.error();
    return add_learner(name, std::move(m.value()));
}

Status Ensemble::add_learner(const std::string& name, FactorModel model) {
    if (!spec_) return spec_.error();
    if (name.empty() || name == kNaiveMember) return input_error("name", "a learner needs a name other than 'naive'");
    if (model.is_classifier() || model.horizon < 1)
        return input_error("learner", {"'", model.name, "' is not a forward-return regression with a horizon"});
    const int h = model.horizon;
    learners_.erase(std::remove_if(learners_.begin(), learners_.end(),
                                   [&](const LearnerMember& l) { return l.name == name && l.model->horizon == h; }),
                    learners_.end());
    learners_.push_back(LearnerMember{name, std::make_shared<const FactorModel>(std::move(model))});
    cache_.clear();
    return Ok{};
}

std::vector<Ensemble::MemberState> Ensemble::member_states(const EnsembleHorizonSpec& hs, const OhlcvView& bars) const {
    const EnsembleSpec& spec = spec_.value();
    const std::size_t n = bars.size, h = static_cast<std::size_t>(hs.horizon), W = static_cast<std::size_t>(spec.window);
    const std::size_t first = n - 1 - h - (W - 1);  // caller checked n >= h + W + 1
    std::vector<double> actual(W);
    for (std::size_t i = 0; i < W; ++i) actual[i] = std::log(bars.close[first + i + h] / bars.close[first + i]);

    // Forecasts at the window's W origins and at n-1 (the last entry), one network call per network.
    std::vector<std::size_t> origins;
    for (std::size_t i = 0; i < W; ++i) origins.push_back(first + i);
    origins.push_back(n - 1);
    auto finish = [&](MemberState& st, Result<std::vector<double>> r) {
        if (!r) {
            st.reason = reason_of(r.error());
            return;
        }
        const auto& v = r.value();
        for (std::size_t i = 0; i < W; ++i) {
            if (!std::isfinite(v[i])) {
                st.reason = cat({"insufficient_history: no forecast at adaptation origin ", first + i, " (the window needs ", W,
                                 " origins whose ", h, "-day target lies in the history)"});
                return;
            }
            st.errors.push_back(std::abs(std::expm1(v[i] - actual[i])));
        }
        st.now = v.back();
        st.usable = true;
    };
    std::vector<MemberState> out;
    for (const std::string& name : hs.member_names) {
        MemberState st;
        st.name = name;
        if (name == kNaiveMember) {
            st.kind = "naive";
            finish(st, std::vector<double>(W + 1, 0.0));
        } else if (auto net = std::find_if(networks_.begin(), networks_.end(), [&](const NetworkMember& m) { return m.name == name; });
                   net != networks_.end()) {
            st.kind = "network";
            auto r = network_log_returns(*net->model, net->stock_id, bars, origins, {hs.horizon});
            finish(st, r ? Result<std::vector<double>>(std::move(r.value()[0])) : Result<std::vector<double>>(r.error()));
        } else if (auto ln = std::find_if(learners_.begin(), learners_.end(),
                                          [&](const LearnerMember& m) { return m.name == name && m.model->horizon == hs.horizon; });
                   ln != learners_.end()) {
            st.kind = "learner";
            finish(st, learner_log_returns(*ln->model, bars, origins));
        } else {
            st.kind = "unknown";
            st.reason = "not_loaded: no member of this name was added for this horizon";
        }
        out.push_back(std::move(st));
    }
    // Members added but not calibrated in the spec cannot be weighted: named, excluded.
    for (const auto& net : networks_)
        if (!hs.member(net.name)) out.push_back(MemberState{net.name, "network", "not_calibrated: the ensemble spec has no validation data for it", false, 0, {}});
    for (const auto& l : learners_)
        if (l.model->horizon == hs.horizon && !hs.member(l.name))
            out.push_back(MemberState{l.name, "learner", "not_calibrated: the ensemble spec has no validation data for it", false, 0, {}});
    return out;
}

Result<EnsembleAnswer> Ensemble::predict(const EnsembleRequest& req) {
    if (!spec_) return spec_.error();
    const EnsembleSpec& spec = spec_.value();
    const EnsembleHorizonSpec* hs = spec.find(req.horizon);
    if (!hs) {
        std::string list;
        for (const auto& h : spec.horizons) list += (list.empty() ? "" : ", ") + std::to_string(h.horizon);
        return input_error("horizon", {req.horizon, " is not among the ensemble's horizons (", list, ")"});
    }
    const std::size_t n = req.close.size();
    if (!req.high.empty() && req.high.size() != n) return input_error("high", {"expected ", n, " values (one per close), got ", req.high.size()});
    if (!req.low.empty() && req.low.size() != n) return input_error("low", {"expected ", n, " values (one per close), got ", req.low.size()});
    if (!req.volume.empty() && req.volume.size() != n)
        return input_error("volume", {"expected ", n, " values (one per close), got ", req.volume.size()});
    for (std::size_t i = 0; i < n; ++i)
        if (!std::isfinite(req.close[i]) || req.close[i] <= 0) return input_error("close", {"row ", i, ": expected a finite price > 0, got ", req.close[i]});
    const std::size_t need = static_cast<std::size_t>(req.horizon) + static_cast<std::size_t>(spec.window) + 1;
    if (n < need) return history_error("ensemble: the adaptation window", static_cast<long long>(need), static_cast<long long>(n));

    const OhlcvView bars{req.high.empty() ? nullptr : req.high.data(), req.low.empty() ? nullptr : req.low.data(), req.close.data(),
                         req.volume.empty() ? nullptr : req.volume.data(), n};
    EnsembleAnswer a;
    const std::vector<MemberState>* states = nullptr;
    const std::uint64_t fp = req.key.empty() ? 0 : fingerprint(req);
    if (!req.key.empty()) {
        for (auto it = cache_.begin(); it != cache_.end(); ++it)
            if (it->key == req.key && it->horizon == req.horizon && it->fingerprint == fp) {
                cache_.splice(cache_.begin(), cache_, it);  // most recently used first
                states = &cache_.front().members;
                a.cached = true;
                break;
            }
    }
    std::vector<MemberState> fresh;
    if (!states) {
        fresh = member_states(*hs, bars);
        if (!req.key.empty()) {
            cache_.push_front(CacheEntry{req.key, req.horizon, fp, std::move(fresh)});
            if (cache_.size() > kEnsembleCacheEntries) cache_.pop_back();
            states = &cache_.front().members;
        } else {
            states = &fresh;
        }
    }

    std::vector<std::vector<double>> errors;
    std::vector<std::size_t> index;
    int naive = -1;
    for (std::size_t i = 0; i < states->size(); ++i) {
        const MemberState& st = (*states)[i];
        if (!st.usable) continue;
        if (st.kind == "naive") naive = static_cast<int>(errors.size());
        errors.push_back(st.errors);
        index.push_back(i);
    }
    const std::vector<double> w = ensemble_weights(hs->rule, errors, naive);
    const double last_close = req.close[n - 1];
    const double sigma = ensemble_sigma(req.close.data(), n - 1, spec.volatility_window);
    std::vector<double> now;
    for (std::size_t i : index) now.push_back((*states)[i].now);
    const double r = ensemble_log_return(hs->rule, w, now);
    auto ens = calibrated_forecast(hs->ensemble, spec, last_close, r, sigma, req.horizon, req.level);
    if (!ens) return ens.error();
    a.forecast = ens.value();
    a.confidence = hs->ensemble.confidence;
    a.last_close = last_close;
    a.window = spec.window;
    for (std::size_t i = 0; i < states->size(); ++i) {
        const MemberState& st = (*states)[i];
        EnsembleMemberAnswer m;
        m.name = st.name;
        m.kind = st.kind;
        m.included = st.usable;
        m.reason = st.reason;
        m.recent_error = kNaN;
        if (st.usable) {
            const std::size_t j = static_cast<std::size_t>(std::find(index.begin(), index.end(), i) - index.begin());
            m.weight = w[j];
            double sum = 0;
            for (double e : st.errors) sum += e;
            m.recent_error = 100.0 * sum / static_cast<double>(st.errors.size());
            if (const ForecasterCalibration* cal = hs->member(st.name)) {
                auto f = calibrated_forecast(*cal, spec, last_close, st.now, sigma, req.horizon, req.level);
                if (f) {
                    m.forecast = f.value();
                    m.has_forecast = true;
                }
            }
        }
        a.members.push_back(std::move(m));
    }
    return a;
}

}  // namespace stockcast
