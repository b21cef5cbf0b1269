#include "stockcast/ensemble_fit.hpp"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <dirent.h>
#include <limits>

#include "stockcast/backtest.hpp"
#include "stockcast/data_files.hpp"
#include "stockcast/features.hpp"
#include "stockcast/sha256.hpp"

namespace stockcast {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string str_field(const Json& j, const char* key) {
    const Json* v = json_find(j, key);
    return v && v->is_string() ? v->get<std::string>() : std::string();
}

double median(std::vector<double> v) {
    if (v.empty()) return kNaN;
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// The empirical quantile (type 7, linear interpolation) of sorted values.
double quantile_sorted(const std::vector<double>& v, double q) {
    if (v.empty()) return kNaN;
    const double pos = q * static_cast<double>(v.size() - 1);
    const std::size_t lo = static_cast<std::size_t>(std::floor(pos));
    const std::size_t hi = std::min(v.size() - 1, lo + 1);
    return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

Result<std::string> read_checked(const std::string& path, const std::string& sha, bool verify) {
    auto text = read_text_file(path);
    if (!text) return text.error();
    if (verify && !sha.empty()) {
        const std::string got = to_hex(sha256(reinterpret_cast<const std::uint8_t*>(text.value().data()), text.value().size()));
        if (got != sha) return make_error(ErrorCode::hash_mismatch, path + ": SHA-256 " + got + " differs from the manifest's " + sha);
    }
    return text;
}

// The 3 direction classes as the core's rule names them (forecast.hpp): 0 bearish, 1 neutral, 2 bullish.
int direction_class(const char* label) { return label[1] == 'e' && label[2] == 'a' ? 0 : label[1] == 'u' ? 2 : 1; }

}  // namespace

// ------------------------------------------------------------------------------------- members

struct EnsembleMembers::Impl {
    EnsembleMembersConfig config;
    Manifest manifest;
    std::map<std::string, std::shared_ptr<Model>> lstm_files;
    struct Net {
        std::string name;
        Model model;
    };
    std::vector<Net> networks;
    struct Learner {
        std::string name;
        FactorModel model;
    };
    std::vector<Learner> learners;

    Result<const Model*> lstm_for(const std::string& symbol, int& stock_id, std::string& note) {
        auto routed = route(manifest.routes(), symbol, /*has_history=*/true);
        if (!routed) return routed.error();
        std::string file = routed.value().file;
        for (int attempt = 0; attempt < 2; ++attempt) {
            auto it = lstm_files.find(file);
            if (it == lstm_files.end()) {
                auto text = read_checked(manifest.dir + "/" + file, manifest.sha256_of(file), config.verify_sha256);
                auto m = text ? parse_model(reinterpret_cast<const std::uint8_t*>(text.value().data()), text.value().size())
                              : Result<Model>(text.error());
                if (!m) {
                    // A stock-specific file that fails is served by its fallback (routing.hpp).
                    note = file + ": " + m.error().message;
                    const std::string fb = routed.value().fallback_file.empty() ? manifest.general_file : routed.value().fallback_file;
                    if (attempt == 0 && fb != file) {
                        file = fb;
                        continue;
                    }
                    return m.error();
                }
                it = lstm_files.emplace(file, std::make_shared<Model>(std::move(m.value()))).first;
            }
            const Model& model = *it->second;
            stock_id = model.net.arch.has_embedding() ? model.stock_id(symbol) : -1;
            return &model;
        }
        return make_error(ErrorCode::model_not_found, symbol);
    }
};

EnsembleMembers::~EnsembleMembers() = default;

Result<std::unique_ptr<EnsembleMembers>> EnsembleMembers::load(const EnsembleMembersConfig& config) {
    auto out = std::unique_ptr<EnsembleMembers>(new EnsembleMembers());
    out->impl_ = std::make_unique<Impl>();
    Impl& im = *out->impl_;
    im.config = config;
    auto man = load_manifest(config.manifest_path);
    if (!man) return man.error();
    im.manifest = std::move(man.value());
    // The horizons are the general model's.
    int sid = -1;
    std::string note;
    auto general = im.lstm_for(im.manifest.stocks.empty() ? "" : im.manifest.stocks[0].symbol, sid, note);
    if (!general) return general.error();
    out->horizons_ = general.value()->output.horizons;
    for (const auto& [name, file] : config.networks) {
        auto text = read_text_file(file);
        if (!text) return text.error();
        auto m = parse_model(reinterpret_cast<const std::uint8_t*>(text.value().data()), text.value().size());
        if (!m) return make_error(m.error().code, file + ": " + m.error().message);
        im.networks.push_back(Impl::Net{name, std::move(m.value())});
    }
    // Learners: the manifest's factor_models named learner_<kind>_<h>d.
    auto text = read_text_file(config.manifest_path);
    if (!text) return text.error();
    auto doc = parse_json(text.value());
    if (!doc) return doc.error();
    if (const Json* fm = json_find(doc.value(), "factor_models"); fm && fm->is_array())
        for (const Json& e : *fm) {
            const std::string name = str_field(e, "name");
            if (name.rfind("learner_", 0) != 0) continue;
            const std::string file = im.manifest.dir + "/" + str_field(e, "file");
            auto bytes = read_checked(file, str_field(e, "sha256"), config.verify_sha256);
            if (!bytes) return bytes.error();
            auto m = parse_factor_model(reinterpret_cast<const std::uint8_t*>(bytes.value().data()), bytes.value().size());
            if (!m) return make_error(m.error().code, file + ": " + m.error().message);
            im.learners.push_back(Impl::Learner{str_field(e, "kind"), std::move(m.value())});
        }
    return out;
}

std::vector<std::string> EnsembleMembers::member_names() const {
    std::vector<std::string> names{"lstm"};
    for (const auto& n : impl_->networks) names.push_back(n.name);
    for (const auto& l : impl_->learners)
        if (std::find(names.begin(), names.end(), l.name) == names.end()) names.push_back(l.name);
    names.push_back(kNaiveMember);
    return names;
}

std::vector<std::string> EnsembleMembers::symbols() const {
    if (!impl_->config.symbols.empty()) return impl_->config.symbols;
    std::vector<std::string> out;
    if (DIR* d = opendir(impl_->config.prices_dir.c_str())) {
        while (dirent* e = readdir(d)) {
            const std::string n = e->d_name;
            if (n.size() > 4 && n.compare(n.size() - 4, 4, ".csv") == 0) out.push_back(n.substr(0, n.size() - 4));
        }
        closedir(d);
    }
    std::sort(out.begin(), out.end());
    return out;
}

Result<MemberSeries> EnsembleMembers::series(const std::string& symbol, std::size_t first_row) const {
    Impl& im = *impl_;
    auto prices = load_price_csv(im.config.prices_dir + "/" + symbol + ".csv", symbol);
    if (!prices) return prices.error();
    MemberSeries s;
    s.symbol = symbol;
    s.prices = std::move(prices.value());
    const PriceSeries& p = s.prices;
    const std::size_t n = p.size();
    s.names = member_names();
    for (const auto& name : s.names)
        s.kinds.push_back(name == kNaiveMember ? "naive" : (name == "lstm" || std::any_of(im.networks.begin(), im.networks.end(), [&](const Impl::Net& x) { return x.name == name; })) ? "network" : "learner");
    for (int h : horizons_) s.r[h].assign(s.names.size(), std::vector<double>(n, kNaN));
    if (first_row >= n) return s;
    std::vector<std::size_t> origins;
    for (std::size_t t = first_row; t < n; ++t) origins.push_back(t);
    const OhlcvView bars{p.high.data(), p.low.data(), p.close.data(), p.volume.data(), n};
    auto put = [&](std::size_t m, int h, const std::vector<double>& v) {
        for (std::size_t i = 0; i < v.size(); ++i) s.r[h][m][origins[i]] = v[i];
    };
    auto network = [&](std::size_t m, const Model& model, int id) {
        auto r = network_log_returns(model, id, bars, origins, horizons_);
        if (!r) {
            s.notes.push_back(s.names[m] + ": " + r.error().message);
            return;
        }
        for (std::size_t k = 0; k < horizons_.size(); ++k) put(m, horizons_[k], r.value()[k]);
    };
    int id = -1;
    std::string note;
    auto lstm = im.lstm_for(symbol, id, note);
    if (!note.empty()) s.notes.push_back("lstm: " + note);
    if (lstm) network(0, *lstm.value(), id);
    else s.notes.push_back("lstm: " + lstm.error().message);
    for (std::size_t k = 0; k < im.networks.size(); ++k) {
        const Model& model = im.networks[k].model;
        network(1 + k, model, model.net.arch.has_embedding() ? model.stock_id(symbol) : -1);
    }
    for (const auto& l : im.learners) {
        const std::size_t m = static_cast<std::size_t>(std::find(s.names.begin(), s.names.end(), l.name) - s.names.begin());
        if (!s.r.count(l.model.horizon)) continue;
        auto r = learner_log_returns(l.model, bars, origins);
        if (r) put(m, l.model.horizon, r.value());
        else s.notes.push_back(l.name + " " + std::to_string(l.model.horizon) + "d: " + r.error().message);
    }
    for (int h : horizons_) std::fill(s.r[h].back().begin() + static_cast<std::ptrdiff_t>(first_row), s.r[h].back().end(), 0.0);  // naive
    return s;
}

// ------------------------------------------------------------------------------------- walking

namespace {

// One stock at one horizon: actual log returns and each member's APE per row.
struct Walk {
    const MemberSeries& s;
    int h;
    std::size_t W;
    std::vector<double> actual;                // row -> ln(c[t+h]/c[t]) (NaN past the end)
    std::vector<std::vector<double>> ape;      // member -> row
    Walk(const MemberSeries& series, int horizon, int window) : s(series), h(horizon), W(static_cast<std::size_t>(window)) {
        const auto& c = s.prices.close;
        const std::size_t n = c.size();
        actual.assign(n, kNaN);
        for (std::size_t t = 0; t + static_cast<std::size_t>(h) < n; ++t) actual[t] = std::log(c[t + static_cast<std::size_t>(h)] / c[t]);
        const auto& r = s.r.at(h);
        ape.assign(r.size(), std::vector<double>(n, kNaN));
        for (std::size_t m = 0; m < r.size(); ++m)
            for (std::size_t t = 0; t < n; ++t) ape[m][t] = std::abs(std::expm1(r[m][t] - actual[t]));
    }
    // The members usable at origin t (Ensemble::member_states' rule), their window errors and forecasts.
    bool state(std::size_t t, std::vector<std::size_t>& members, std::vector<std::vector<double>>& errors, std::vector<double>& now,
               int& naive) const {
        members.clear();
        errors.clear();
        now.clear();
        naive = -1;
        const std::size_t hh = static_cast<std::size_t>(h);
        if (t < hh + W - 1) return false;
        const std::size_t first = t - hh - (W - 1);
        const auto& r = s.r.at(h);
        for (std::size_t m = 0; m < r.size(); ++m) {
            if (!std::isfinite(r[m][t])) continue;
            bool ok = true;
            for (std::size_t j = first; j <= t - hh && ok; ++j) ok = std::isfinite(ape[m][j]);
            if (!ok) continue;
            if (s.kinds[m] == "naive") naive = static_cast<int>(members.size());
            members.push_back(m);
            errors.emplace_back(ape[m].begin() + static_cast<std::ptrdiff_t>(first), ape[m].begin() + static_cast<std::ptrdiff_t>(t - hh + 1));
            now.push_back(r[m][t]);
        }
        return naive >= 0;
    }
};

struct Obs {
    int stock;
    double r, a, sigma;
    bool late;  // origin in the second half of validation (the direction model's held-out check)
};

// Multinomial logistic regression of the direction class on x = (1, z, u), neutral the reference
// class; Newton steps with a small ridge. Returns {bearish triple, bullish triple}.
DirectionCalibration fit_direction(const std::vector<std::array<double, 3>>& x, const std::vector<int>& y) {
    DirectionCalibration c;
    const std::size_t n = x.size();
    if (n < 30) return c;
    Eigen::VectorXd beta = Eigen::VectorXd::Zero(6);
    double cnt[3] = {0, 0, 0};
    for (int k : y) cnt[k] += 1;
    beta(0) = std::log((cnt[0] + 1) / (cnt[1] + 1));
    beta(3) = std::log((cnt[2] + 1) / (cnt[1] + 1));
    const double ridge = 1e-4 * static_cast<double>(n);
    for (int iter = 0; iter < 50; ++iter) {
        Eigen::VectorXd g = -ridge * beta;
        Eigen::MatrixXd H = ridge * Eigen::MatrixXd::Identity(6, 6);
        for (std::size_t i = 0; i < n; ++i) {
            const Eigen::Vector3d xi(x[i][0], x[i][1], x[i][2]);
            DirectionCalibration cur;
            for (int k = 0; k < 3; ++k) cur.bearish[static_cast<std::size_t>(k)] = beta(k), cur.bullish[static_cast<std::size_t>(k)] = beta(3 + k);
            const DirectionProbabilities p = calibrated_direction(cur, x[i][1], x[i][2]);
            const double pa[2] = {p.bearish, p.bullish};
            const double ya[2] = {y[i] == 0 ? 1.0 : 0.0, y[i] == 2 ? 1.0 : 0.0};
            for (int a = 0; a < 2; ++a) {
                g.segment<3>(3 * a) += (ya[a] - pa[a]) * xi;
                for (int b = 0; b < 2; ++b)
                    H.block<3, 3>(3 * a, 3 * b) += pa[a] * ((a == b ? 1.0 : 0.0) - pa[b]) * (xi * xi.transpose());
            }
        }
        const Eigen::VectorXd step = H.ldlt().solve(g);
        if (!step.allFinite()) break;
        beta += step;
        if (step.cwiseAbs().maxCoeff() < 1e-9) break;
    }
    if (!beta.allFinite()) return c;
    for (int k = 0; k < 3; ++k) c.bearish[static_cast<std::size_t>(k)] = beta(k), c.bullish[static_cast<std::size_t>(k)] = beta(3 + k);
    return c;
}

struct DirectionScore {
    std::size_t calls = 0, hits = 0, n = 0;
    double base_rate = kNaN, hit_rate = kNaN, brier = 0, brier_clim = 0;
};

// Hit rate on non-neutral calls beside the base rate (on the days of those calls, the share of the
// more frequent realised non-neutral class: always calling it would hit that often), multi-class
// Brier score beside the climatological forecast `clim` (class frequencies).
DirectionScore score_direction(const std::vector<HorizonForecast>& f, const std::vector<int>& y, const double clim[3]) {
    DirectionScore s;
    std::size_t up = 0, down = 0;
    for (std::size_t i = 0; i < f.size(); ++i) {
        const double p[3] = {f[i].p_bearish, f[i].p_neutral, f[i].p_bullish};
        for (int k = 0; k < 3; ++k) {
            const double o = y[i] == k ? 1.0 : 0.0;
            s.brier += (p[k] - o) * (p[k] - o);
            s.brier_clim += (clim[k] - o) * (clim[k] - o);
        }
        const int call = direction_class(f[i].direction.c_str());
        if (call != 1) {
            ++s.calls;
            s.hits += call == y[i];
            up += y[i] == 2;
            down += y[i] == 0;
        }
    }
    s.n = f.size();
    if (s.n) s.brier /= static_cast<double>(s.n), s.brier_clim /= static_cast<double>(s.n);
    if (s.calls) {
        s.hit_rate = static_cast<double>(s.hits) / static_cast<double>(s.calls);
        s.base_rate = static_cast<double>(std::max(up, down)) / static_cast<double>(s.calls);
    }
    return s;
}

// Skill is judged against the naive member's calibrated probabilities (`reference`: they know the
// stock's volatility, hence how likely "neutral" is, and nothing about the direction) as well as
// against climatology: no_skill unless both are beaten and the hit rate on non-neutral calls
// exceeds its base rate; then low / medium / high by the Brier skill score over the reference.
std::string confidence_from(const DirectionScore& d, double reference) {
    if (d.n == 0 || !(d.brier < d.brier_clim) || !(d.brier < reference)) return "no_skill";
    if (d.calls == 0 || !(d.hit_rate > d.base_rate)) return "no_skill";
    const double bss = 1 - d.brier / reference;
    return bss < 0.005 ? "low" : bss < 0.02 ? "medium" : "high";
}

Json num(double v) { return std::isfinite(v) ? Json(std::round(v * 1e6) / 1e6) : Json(nullptr); }

// Median over stocks of MAPE / naive MAPE, and the pooled ratio.
std::pair<double, double> mape_ratios(const std::vector<Obs>& obs) {
    std::map<int, std::pair<double, double>> by;
    double a = 0, b = 0;
    for (const Obs& o : obs) {
        const double e = std::abs(std::expm1(o.r - o.a)), nv = std::abs(std::expm1(-o.a));
        by[o.stock].first += e;
        by[o.stock].second += nv;
        a += e;
        b += nv;
    }
    std::vector<double> ratios;
    for (const auto& [k, v] : by)
        if (v.second > 0) ratios.push_back(v.first / v.second);
    return {median(ratios), b > 0 ? a / b : kNaN};
}

// Quantiles, direction calibration, validation metrics and confidence of one forecaster.
// The direction scores and 90 % coverage of `c` on the observations `use` selects.
template <class Use>
std::pair<DirectionScore, double> score(const ForecasterCalibration& c, const std::vector<Obs>& obs, Use use, int h,
                                        const EnsembleFitOptions& o, const double clim[3]) {
    EnsembleSpec tmp;  // what calibrated_forecast reads of a spec
    tmp.levels = o.levels;
    tmp.neutral_band = o.neutral_band;
    const double tau = o.neutral_band * std::sqrt(static_cast<double>(h));
    std::vector<HorizonForecast> f;
    std::vector<int> y;
    std::size_t covered = 0;
    for (const Obs& v : obs) {
        if (!use(v)) continue;
        auto r = calibrated_forecast(c, tmp, 1.0, v.r, v.sigma, h, 0.9);
        if (!r) continue;
        f.push_back(r.value());
        y.push_back(direction_class(direction_label(v.a, tau)));
        const double actual = std::exp(v.a);
        covered += actual >= r.value().lower && actual <= r.value().upper;
    }
    return {score_direction(f, y, clim), f.empty() ? kNaN : static_cast<double>(covered) / static_cast<double>(f.size())};
}

// Quantiles, direction calibration, validation metrics and confidence of one forecaster. The
// confidence comes from a held-out check inside validation: the direction model fitted on the first
// half's origins (before options.split) and scored on the second half's, against `reference`, the
// naive member's held-out Brier score (infinity while calibrating naive itself; *held_out_brier
// receives this forecaster's). The shipped coefficients are then fitted on the whole period.
ForecasterCalibration calibrate(const std::vector<Obs>& obs, int h, const EnsembleFitOptions& o, const double clim[3],
                                double reference, double* held_out_brier) {
    ForecasterCalibration c;
    const double sh = std::sqrt(static_cast<double>(h));
    std::vector<double> z;
    for (const Obs& x : obs) z.push_back((x.a - x.r) / (x.sigma * sh));
    std::sort(z.begin(), z.end());
    for (double l : o.levels) {
        c.lower.push_back(std::min(0.0, z.empty() ? 0.0 : quantile_sorted(z, (1 - l) / 2)));
        c.upper.push_back(std::max(0.0, z.empty() ? 0.0 : quantile_sorted(z, (1 + l) / 2)));
    }
    const double tau = o.neutral_band * sh;
    auto fit = [&](auto use) {
        std::vector<std::array<double, 3>> x;
        std::vector<int> y;
        for (const Obs& v : obs)
            if (use(v)) {
                x.push_back({1.0, v.r / (v.sigma * sh), tau / (v.sigma * sh)});
                y.push_back(direction_class(direction_label(v.a, tau)));
            }
        return fit_direction(x, y);
    };
    auto all = [](const Obs&) { return true; };
    auto early = [](const Obs& v) { return !v.late; };
    auto late = [](const Obs& v) { return v.late; };
    c.direction = fit(early);
    const DirectionScore held = score(c, obs, late, h, o, clim).first;
    if (held_out_brier) *held_out_brier = held.brier;
    c.direction = fit(all);
    const auto [d, coverage] = score(c, obs, all, h, o, clim);
    const auto [ratio, pooled] = mape_ratios(obs);
    c.confidence = confidence_from(held, std::isfinite(reference) ? reference : held.brier);
    c.validation = Json{{"n", obs.size()},
                        {"median_mape_ratio", num(ratio)},
                        {"pooled_mape_ratio", num(pooled)},
                        {"coverage90", num(coverage)},
                        {"direction_calls", d.calls},
                        {"direction_hit_rate", num(d.hit_rate)},
                        {"direction_base_rate", num(d.base_rate)},
                        {"brier", num(d.brier)},
                        {"brier_climatology", num(d.brier_clim)},
                        {"held_out", Json{{"from", o.split},
                                          {"n", held.n},
                                          {"direction_calls", held.calls},
                                          {"direction_hit_rate", num(held.hit_rate)},
                                          {"direction_base_rate", num(held.base_rate)},
                                          {"brier", num(held.brier)},
                                          {"brier_climatology", num(held.brier_clim)},
                                          {"brier_volatility_only", num(std::isfinite(reference) ? reference : held.brier)}}}};
    return c;
}

Json calibration_json(const ForecasterCalibration& c) {
    Json lo = Json::array(), up = Json::array();
    for (double v : c.lower) lo.push_back(num(v));
    for (double v : c.upper) up.push_back(num(v));
    Json bear = Json::array(), bull = Json::array();
    for (double v : c.direction.bearish) bear.push_back(num(v));
    for (double v : c.direction.bullish) bull.push_back(num(v));
    return Json{{"lower", lo}, {"upper", up}, {"direction", Json{{"bearish", bear}, {"bullish", bull}}},
                {"confidence", c.confidence}, {"validation", c.validation}};
}

Json rule_json(const WeightRule& r) { return Json{{"kind", r.kind}, {"eta", r.eta}, {"decay", r.decay}, {"shrink", r.shrink}}; }

bool same_weights(const WeightRule& a, const WeightRule& b) { return a.kind == b.kind && a.eta == b.eta && a.decay == b.decay; }

// The grid the validation period chooses from (docs/ensemble.md): each weighting with each shrink.
std::vector<WeightRule> candidate_rules() {
    std::vector<WeightRule> weightings{{"equal", 0, 1, 1}};
    for (double eta : {1.0, 2.0, 4.0}) weightings.push_back({"inverse_error", eta, 1.0, 1});
    for (double decay : {1.0, 0.95})
        for (double eta : {0.02, 0.05, 0.1, 0.2, 0.5, 2.0}) weightings.push_back({"hedge", eta, decay, 1});
    std::vector<WeightRule> out;
    for (const WeightRule& w : weightings)
        for (double shrink : {1.0, 0.75, 0.5, 0.25}) {
            out.push_back(w);
            out.back().shrink = shrink;
        }
    return out;
}

}  // namespace

Result<Json> fit_ensemble(const EnsembleMembers& members, const EnsembleFitOptions& o, std::string* log) {
    const std::vector<WeightRule> rules = candidate_rules();
    const std::vector<std::string> names = members.member_names();
    const std::vector<int>& horizons = members.horizons();
    // obs[h][rule] for the ensemble candidates, mobs[h][member] for the members.
    std::map<int, std::vector<std::vector<Obs>>> obs, mobs;
    std::map<int, std::array<double, 3>> freq;
    for (int h : horizons) obs[h].resize(rules.size()), mobs[h].resize(names.size()), freq[h] = {0, 0, 0};
    const std::vector<std::string> syms = members.symbols();
    int stock = 0;
    for (const std::string& sym : syms) {
        // Rows from the first adaptation origin of the first validation origin.
        auto probe = members.series(sym, std::numeric_limits<std::size_t>::max());
        if (!probe) {
            if (log) *log += "skipped " + sym + ": " + probe.error().message + "\n";
            continue;
        }
        const PriceSeries& p0 = probe.value().prices;
        const std::size_t v0 = p0.lower_bound(o.from);
        const std::size_t back = static_cast<std::size_t>(o.window + 30 + 1);
        auto ser = members.series(sym, v0 > back ? v0 - back : 0);
        if (!ser) continue;
        const MemberSeries& s = ser.value();
        const PriceSeries& p = s.prices;
        for (const auto& note : s.notes)
            if (log) *log += sym + ": " + note + "\n";
        for (int h : horizons) {
            Walk walk(s, h, o.window);
            std::vector<std::size_t> idx;
            std::vector<std::vector<double>> errors;
            std::vector<double> now, w;
            int naive = -1;
            for (std::size_t t = v0; t + static_cast<std::size_t>(h) < p.size() && p.dates[t] <= o.to; ++t) {
                if (p.dates[t + static_cast<std::size_t>(h)] > o.to) break;  // the target must lie in validation too
                if (!walk.state(t, idx, errors, now, naive)) continue;
                const double a = walk.actual[t];
                const double sigma = ensemble_sigma(p.close.data(), t, o.volatility_window);
                const bool late = p.dates[t] >= o.split;
                freq[h][static_cast<std::size_t>(direction_class(direction_label(a, o.neutral_band * std::sqrt(static_cast<double>(h)))))] += 1;
                for (std::size_t k = 0; k < rules.size(); ++k) {
                    // Rules differing only in shrink share their weights (candidate_rules orders them so).
                    if (k == 0 || !same_weights(rules[k], rules[k - 1])) w = ensemble_weights(rules[k], errors, naive);
                    obs[h][k].push_back(Obs{stock, ensemble_log_return(rules[k], w, now), a, sigma, late});
                }
                for (std::size_t j = 0; j < idx.size(); ++j) mobs[h][idx[j]].push_back(Obs{stock, now[j], a, sigma, late});
            }
        }
        ++stock;
    }
    if (stock == 0) return make_error(ErrorCode::insufficient_history, "ensemble-fit: no stock could be walked");

    Json doc{{"format", "stockcast-ensemble"},
             {"version", 1},
             {"window", o.window},
             {"volatility_window", o.volatility_window},
             {"neutral_band", o.neutral_band},
             {"levels", o.levels},
             {"members", names},
             {"data", Json{{"validation", Json::array({o.from, o.to})}, {"direction_held_out_from", o.split}, {"stocks", stock}}},
             {"horizons", Json::array()}};
    for (int h : horizons) {
        // Rule choice: the lowest median over stocks of MAPE / naive MAPE (the target
        // metric), ties broken by the pooled ratio.
        Json selection = Json::array();
        std::size_t best = 0;
        std::pair<double, double> best_score{1e300, 1e300};
        for (std::size_t k = 0; k < rules.size(); ++k) {
            const auto score = mape_ratios(obs[h][k]);
            selection.push_back(Json{{"rule", rule_json(rules[k])}, {"median_mape_ratio", num(score.first)}, {"pooled_mape_ratio", num(score.second)}});
            if (score < best_score) best_score = score, best = k;
        }
        const double total = freq[h][0] + freq[h][1] + freq[h][2];
        const double clim[3] = {freq[h][0] / total, freq[h][1] / total, freq[h][2] / total};
        Json hj{{"horizon", h}, {"rule", rule_json(rules[best])}, {"selection", selection},
                {"climatology", Json::array({num(clim[0]), num(clim[1]), num(clim[2])})}};
        const std::size_t ni = names.size() - 1;  // naive is last (member_names)
        double reference = 1e300;
        const ForecasterCalibration naive_cal = calibrate(mobs[h][ni], h, o, clim, std::numeric_limits<double>::infinity(), &reference);
        hj["ensemble"] = calibration_json(calibrate(obs[h][best], h, o, clim, reference, nullptr));
        Json mj = Json::object();
        for (std::size_t m = 0; m < names.size(); ++m)
            if (!mobs[h][m].empty())
                mj[names[m]] = calibration_json(m == ni ? naive_cal : calibrate(mobs[h][m], h, o, clim, reference, nullptr));
        hj["members"] = mj;
        if (log)
            *log += cat({h, "d: rule ", rules[best].kind, " eta ", rules[best].eta, " decay ", rules[best].decay, " shrink ", rules[best].shrink,
                         ", validation median ratio ",
                         best_score.first, ", pooled ", best_score.second, ", ", obs[h][best].size(), " origins\n"});
        doc["horizons"].push_back(hj);
    }
    return doc;
}

Result<std::vector<KindRow>> backtest_kinds(const EnsembleMembers& members, const EnsembleSpec& spec, const std::string& from,
                                            const std::string& to, const std::vector<std::string>& kinds) {
    auto wanted = [&](const std::string& k) { return kinds.empty() || std::find(kinds.begin(), kinds.end(), k) != kinds.end(); };
    std::vector<KindRow> rows;
    for (const std::string& sym : members.symbols()) {
        auto probe = members.series(sym, std::numeric_limits<std::size_t>::max());
        if (!probe) continue;
        const std::size_t t0 = probe.value().prices.lower_bound(from);
        const std::size_t back = static_cast<std::size_t>(spec.window + 30 + 1);
        auto ser = members.series(sym, t0 > back ? t0 - back : 0);
        if (!ser) continue;
        const MemberSeries& s = ser.value();
        const PriceSeries& p = s.prices;
        for (const EnsembleHorizonSpec& hs : spec.horizons) {
            const int h = hs.horizon;
            if (!s.r.count(h)) continue;
            Walk walk(s, h, spec.window);
            std::vector<std::size_t> idx;
            std::vector<std::vector<double>> errors;
            std::vector<double> now;
            int naive = -1;
            for (std::size_t t = t0; t + static_cast<std::size_t>(h) < p.size() && p.dates[t] <= to; ++t) {
                if (!walk.state(t, idx, errors, now, naive)) continue;
                // Members the spec does not calibrate are excluded, as in Ensemble::predict.
                std::vector<std::size_t> keep;
                for (std::size_t j = 0; j < idx.size(); ++j)
                    if (hs.member(s.names[idx[j]])) keep.push_back(j);
                std::vector<std::vector<double>> e2;
                std::vector<double> n2;
                int naive2 = -1;
                for (std::size_t j : keep) {
                    if (static_cast<int>(j) == naive) naive2 = static_cast<int>(e2.size());
                    e2.push_back(errors[j]);
                    n2.push_back(now[j]);
                }
                const std::vector<double> w = ensemble_weights(hs.rule, e2, naive2);
                const double r = ensemble_log_return(hs.rule, w, n2);
                const double sigma = ensemble_sigma(p.close.data(), t, spec.volatility_window);
                const double close = p.close[t], actual = p.close[t + static_cast<std::size_t>(h)];
                auto emit = [&](const std::string& kind, const ForecasterCalibration& cal, double rr, double weight) {
                    auto f = calibrated_forecast(cal, spec, close, rr, sigma, h, 0.9);
                    if (!f) return;
                    KindRow row;
                    row.symbol = sym;
                    row.origin = p.dates[t];
                    row.kind = kind;
                    row.horizon = h;
                    row.close = close;
                    row.predicted = f.value().price;
                    row.lower = f.value().lower;
                    row.upper = f.value().upper;
                    row.actual = actual;
                    row.direction = f.value().direction;
                    row.actual_direction = realised_direction(close, actual, h, ForecastOptions{0.9, spec.neutral_band});
                    row.p_bearish = f.value().p_bearish;
                    row.p_neutral = f.value().p_neutral;
                    row.p_bullish = f.value().p_bullish;
                    row.weight = weight;
                    rows.push_back(std::move(row));
                };
                if (wanted("ensemble")) emit("ensemble", hs.ensemble, r, 1.0);
                for (std::size_t j = 0; j < keep.size(); ++j) {
                    const std::string& name = s.names[idx[keep[j]]];
                    if (wanted(name)) emit(name, *hs.member(name), n2[j], w[j]);
                }
            }
        }
    }
    return rows;
}

Status write_kind_rows_csv(const std::vector<KindRow>& rows, const std::string& path) {
    FILE* f = std::fopen(path.c_str(), "w");
    if (!f) return make_error(ErrorCode::invalid_input, "cannot write " + path);
    std::fputs("symbol,origin,horizon,kind,close,predicted,lower90,upper90,actual,direction,actual_direction,p_bearish,p_neutral,p_bullish,weight\n", f);
    for (const auto& r : rows)
        std::fprintf(f, "%s,%s,%d,%s,%.10g,%.8g,%.8g,%.8g,%.10g,%s,%s,%.6f,%.6f,%.6f,%.6f\n", r.symbol.c_str(), r.origin.c_str(), r.horizon,
                     r.kind.c_str(), r.close, r.predicted, r.lower, r.upper, r.actual, r.direction.c_str(), r.actual_direction.c_str(),
                     r.p_bearish, r.p_neutral, r.p_bullish, r.weight);
    if (std::fclose(f) != 0) return make_error(ErrorCode::invalid_input, "cannot write " + path);
    return Ok{};
}

}  // namespace stockcast
