// Price files -> finished Model: splits, event exclusion, scaling, fit, shrinkage, conformal.
#include <algorithm>
#include <cmath>
#include <ctime>
#include <map>
#include <numeric>
#include <random>
#include <set>

#include "stockcast/data_files.hpp"
#include "stockcast/features.hpp"
#include "stockcast/train.hpp"

namespace stockcast::train {

namespace {

struct WindowRef {
    int stock;          // index into the loaded series
    std::size_t t;      // origin row (last input row)
};

std::string today_utc() {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return buf;
}

}  // namespace

Result<PipelineResult> train_model(const PipelineConfig& cfg) {
    if (cfg.symbols.empty()) return make_error(ErrorCode::invalid_input, "no symbols to train on");
    if (!cfg.general && !cfg.transformer && cfg.symbols.size() != 1)
        return make_error(ErrorCode::invalid_input, "a stock-specific model takes exactly one symbol");
    if (cfg.transformer && (cfg.general || cfg.init_from || !cfg.external_fit))
        return make_error(ErrorCode::invalid_input, "a transformer has no embedding or init model and needs external_fit");
    if (cfg.horizons.empty()) return make_error(ErrorCode::invalid_input, "no horizons");
    if (!is_iso_date(cfg.val_from) || !is_iso_date(cfg.test_from) || !(cfg.val_from < cfg.test_from))
        return make_error(ErrorCode::invalid_input, "need ISO dates val_from < test_from");
    InputSpec spec;
    spec.features = cfg.features;
    spec.scale.assign(cfg.features.size(), 1.0f);
    if (Status s = validate_input_spec(spec); !s) return make_error(ErrorCode::invalid_input, s.error().message);

    // ---- data
    std::vector<PriceSeries> series;
    for (const auto& sym : cfg.symbols) {
        auto p = load_price_csv(cfg.data_dir + "/prices/" + sym + ".csv", sym);
        if (!p) return p.error();
        series.push_back(std::move(p.value()));
    }
    auto ev = load_events_csv(cfg.data_dir + "/events.csv");
    if (!ev) return ev.error();
    std::map<std::string, std::vector<std::string>> events;
    for (const auto& e : ev.value()) events[e.symbol].push_back(e.date);

    const int W = cfg.window;
    const int H = static_cast<int>(cfg.horizons.size());
    const int hmax = *std::max_element(cfg.horizons.begin(), cfg.horizons.end());
    const std::size_t need = required_history(spec, W);
    const int F = static_cast<int>(cfg.features.size());

    PipelineResult res;
    std::vector<WindowRef> train_w, val_w;
    std::string data_from = "9999", data_to = "0000";
    for (int s = 0; s < static_cast<int>(series.size()); ++s) {
        const PriceSeries& p = series[static_cast<std::size_t>(s)];
        std::vector<std::size_t> ev_rows;
        for (const auto& d : events[p.symbol]) {
            const std::size_t r = p.lower_bound(d);
            if (r < p.size() && p.dates[r] == d) ev_rows.push_back(r);
        }
        if (p.size() < need + static_cast<std::size_t>(hmax)) continue;
        for (std::size_t t = need - 1; t + static_cast<std::size_t>(hmax) < p.size(); ++t) {
            const std::string& last_target = p.dates[t + static_cast<std::size_t>(hmax)];
            const bool is_train = last_target < cfg.val_from;
            const bool is_val = p.dates[t] >= cfg.val_from && last_target < cfg.test_from;
            if (!is_train && !is_val) continue;
            bool spans = false;  // event return (row e-1 -> e) inside [t-need+1, t+hmax]
            for (std::size_t e : ev_rows)
                if (e >= t + 2 - need && e <= t + static_cast<std::size_t>(hmax)) spans = true;
            if (spans) {
                ++res.excluded_event_windows;
                continue;
            }
            (is_train ? train_w : val_w).push_back({s, t});
            data_from = std::min(data_from, p.dates[t + 1 - need]);
            data_to = std::max(data_to, last_target);
        }
    }
    if (train_w.size() < 16 || val_w.empty())
        return make_error(ErrorCode::insufficient_history,
                          "windows: training " + std::to_string(train_w.size()) + " (need >= 16), validation " +
                              std::to_string(val_w.size()) + " (need >= 1)");
    std::mt19937_64 rng(cfg.options.seed ^ 0x5eedULL);
    if (cfg.max_train_windows > 0 && train_w.size() > cfg.max_train_windows) {
        std::shuffle(train_w.begin(), train_w.end(), rng);
        train_w.resize(cfg.max_train_windows);
        std::sort(train_w.begin(), train_w.end(),
                  [](const WindowRef& a, const WindowRef& b) { return a.stock != b.stock ? a.stock < b.stock : a.t < b.t; });
    }

    // ---- scaling (training windows only)
    const std::size_t wf = static_cast<std::size_t>(W) * F;
    std::vector<double> raw(wf);
    auto fill_raw = [&](const WindowRef& w) {
        const PriceSeries& p = series[static_cast<std::size_t>(w.stock)];
        build_window_raw(cfg.features, W, p.close.data(), p.volume.data(), w.t, raw.data());
    };
    auto target = [&](const WindowRef& w, int h) {
        const PriceSeries& p = series[static_cast<std::size_t>(w.stock)];
        return std::log(p.close[w.t + static_cast<std::size_t>(cfg.horizons[static_cast<std::size_t>(h)])] /
                        p.close[w.t]);
    };
    {
        std::vector<double> s1(static_cast<std::size_t>(F), 0), s2(static_cast<std::size_t>(F), 0);
        std::size_t cnt = 0;
        const std::size_t stride = std::max<std::size_t>(1, train_w.size() / 20000);
        for (std::size_t i = 0; i < train_w.size(); i += stride) {
            fill_raw(train_w[i]);
            for (std::size_t k = 0; k < wf; ++k) {
                s1[k % F] += raw[k];
                s2[k % F] += raw[k] * raw[k];
            }
            cnt += static_cast<std::size_t>(W);
        }
        for (int f = 0; f < F; ++f) {
            const double m = s1[f] / static_cast<double>(cnt), var = std::max(s2[f] / static_cast<double>(cnt) - m * m, 1e-12);
            spec.scale[static_cast<std::size_t>(f)] = static_cast<float>(1.0 / std::sqrt(var));
        }
    }
    std::vector<double> tscale(static_cast<std::size_t>(H));
    for (int h = 0; h < H; ++h) {
        double s2 = 0;
        for (const auto& w : train_w) s2 += target(w, h) * target(w, h);
        tscale[static_cast<std::size_t>(h)] = std::max(std::sqrt(s2 / static_cast<double>(train_w.size())), 1e-6);
    }
    nn::Network init_net;
    if (cfg.init_from) {
        const Model& g = *cfg.init_from;
        if (cfg.general) return make_error(ErrorCode::invalid_input, "init_from is for stock-specific models");
        const Json* ts = json_find(g.meta.metrics, "target_scale");
        if (g.input.features != cfg.features || g.net.arch.window != W || g.output.horizons != cfg.horizons ||
            ts == nullptr || !ts->is_array() || ts->size() != static_cast<std::size_t>(H))
            return make_error(ErrorCode::invalid_input,
                              "init model: features, window, horizons or metrics.target_scale do not match");
        for (int h = 0; h < H; ++h) {
            const Json& v = (*ts)[static_cast<std::size_t>(h)];
            if (!v.is_number()) return make_error(ErrorCode::invalid_input, "init model: metrics.target_scale not numeric");
            tscale[static_cast<std::size_t>(h)] = v.get<double>();
        }
        spec.scale = g.input.scale;
        auto sn = specialise_general(g, g.stock_id(cfg.symbols[0]));
        if (!sn) return sn.error();
        init_net = std::move(sn.value());
    }

    nn::Architecture arch;
    arch.window = W;
    arch.features = F;
    arch.lstm_units = cfg.lstm_units;
    arch.dense_units = cfg.dense_units;
    arch.outputs = H;
    arch.dropout = static_cast<float>(cfg.options.dropout);
    if (cfg.general) {
        arch.embedding_count = static_cast<int>(series.size());
        arch.embedding_dim = cfg.embedding_dim;
    }
    if (cfg.transformer) {
        const float dropout = arch.dropout;
        arch = cfg.transformer_arch;
        arch.type = nn::ArchType::transformer;
        arch.window = W;
        arch.features = F;
        arch.outputs = H;
        arch.dropout = dropout;
    }
    if (Status s = arch.validate(); !s) return s.error();

    auto make_set = [&](const std::vector<WindowRef>& ws) {
        Dataset d;
        d.window = W;
        d.features = F;
        d.outputs = H;
        d.x.resize(ws.size() * wf);
        d.y.resize(ws.size() * static_cast<std::size_t>(H));
        if (cfg.general) d.stock.resize(ws.size());
        for (std::size_t i = 0; i < ws.size(); ++i) {
            fill_raw(ws[i]);
            for (std::size_t k = 0; k < wf; ++k) d.x[i * wf + k] = static_cast<float>(raw[k] * spec.scale[k % F]);
            for (int h = 0; h < H; ++h)
                d.y[i * H + h] = static_cast<float>(target(ws[i], h) / tscale[static_cast<std::size_t>(h)]);
            if (cfg.general) d.stock[i] = ws[i].stock;
        }
        return d;
    };
    const Dataset train_set = make_set(train_w);
    const Dataset val_set = make_set(val_w);
    res.train_windows = train_w.size();
    res.val_windows = val_w.size();

    if (cfg.init_from) {
        if (init_net.arch.lstm_units != arch.lstm_units || init_net.arch.dense_units != arch.dense_units)
            return make_error(ErrorCode::invalid_input, "init model: LSTM / dense sizes differ from the configuration");
        init_net.arch.dropout = arch.dropout;
    }
    nn::Network net = cfg.init_from ? std::move(init_net) : cfg.transformer ? nn::Network::zeros(arch) : init_network(arch, cfg.options.seed);
    Dataset stop_set;
    const Dataset* stop = &val_set;
    if (cfg.max_stop_windows > 0 && val_w.size() > cfg.max_stop_windows) {
        std::vector<WindowRef> sub = val_w;
        std::shuffle(sub.begin(), sub.end(), rng);
        sub.resize(cfg.max_stop_windows);
        stop_set = make_set(sub);
        stop = &stop_set;
    }
    if (cfg.transformer) {
        auto fitted = cfg.external_fit(arch, train_set, *stop, res.report);
        if (!fitted) return fitted.error();
        net = std::move(fitted.value());
        if (!net.arch.is_transformer() || nn::expected_tensors(net.arch).size() != nn::expected_tensors(arch).size() ||
            net.arch.d_model != arch.d_model || net.arch.window != W || net.arch.outputs != H)
            return make_error(ErrorCode::invalid_input, "external_fit: the network does not have the configured architecture");
    } else {
        auto rep = fit(net, train_set, *stop, cfg.options);
        if (!rep) return rep.error();
        res.report = rep.value();
    }

    // ---- shrinkage toward "no change" and conformal intervals (validation only)
    auto pred = predict(net, val_set);
    if (!pred) return pred.error();
    const std::vector<float>& y = pred.value();
    OutputSpec out;
    out.horizons = cfg.horizons;
    out.scale.assign(static_cast<std::size_t>(H), 1.0f);
    IntervalSpec iv;
    Json metrics = Json::object();
    Json mh = Json::object();
    const int ns = static_cast<int>(series.size());
    std::map<std::string, std::vector<double>> stock_shrink, stock_width;
    std::vector<double> vol(val_w.size());
    for (std::size_t i = 0; i < val_w.size(); ++i)
        vol[i] = window_volatility(series[static_cast<std::size_t>(val_w[i].stock)].close.data(), val_w[i].t, W);
    for (int h = 0; h < H; ++h) {
        auto per_stock_mape = [&](double alpha, bool naive) {
            std::vector<double> sum(static_cast<std::size_t>(ns), 0), cnt(static_cast<std::size_t>(ns), 0);
            for (std::size_t i = 0; i < val_w.size(); ++i) {
                const double r = target(val_w[i], h);
                const double rh = naive ? 0.0 : alpha * tscale[static_cast<std::size_t>(h)] * y[i * H + h];
                sum[static_cast<std::size_t>(val_w[i].stock)] += std::abs(std::exp(rh - r) - 1.0);
                cnt[static_cast<std::size_t>(val_w[i].stock)] += 1.0;
            }
            double total = 0;
            int k = 0;
            for (int s = 0; s < ns; ++s)
                if (cnt[static_cast<std::size_t>(s)] > 0) {
                    total += 100.0 * sum[static_cast<std::size_t>(s)] / cnt[static_cast<std::size_t>(s)];
                    ++k;
                }
            return k ? total / k : 0.0;
        };
        double best_alpha = 1.0, best = per_stock_mape(1.0, false);
        for (int a = 0; a < 20; ++a) {
            const double alpha = a / 20.0;
            const double m = per_stock_mape(alpha, false);
            if (m < best - 1e-12) {
                best = m;
                best_alpha = alpha;
            }
        }
        const double raw_mape = per_stock_mape(1.0, false);
        const double naive = per_stock_mape(0.0, true);
        out.scale[static_cast<std::size_t>(h)] = static_cast<float>(tscale[static_cast<std::size_t>(h)] * best_alpha);
        // general model: per-stock multipliers on the stock's own validation windows
        std::vector<double> alpha_s(static_cast<std::size_t>(ns), best_alpha);
        if (cfg.general) {
            std::vector<std::vector<std::size_t>> rows(static_cast<std::size_t>(ns));
            for (std::size_t i = 0; i < val_w.size(); ++i) rows[static_cast<std::size_t>(val_w[i].stock)].push_back(i);
            for (int s = 0; s < ns; ++s) {
                const auto& rs = rows[static_cast<std::size_t>(s)];
                if (rs.empty()) continue;
                double best_s = 0;
                for (int a = 0; a <= 20; ++a) {
                    const double alpha = a / 20.0;
                    double sum = 0;
                    for (std::size_t i : rs)
                        sum += std::abs(std::exp(alpha * tscale[static_cast<std::size_t>(h)] * y[i * H + h] -
                                                 target(val_w[i], h)) -
                                        1.0);
                    if (a == 0 || sum < best_s - 1e-12) {
                        best_s = sum;
                        alpha_s[static_cast<std::size_t>(s)] = alpha;
                    }
                }
                stock_shrink[series[static_cast<std::size_t>(s)].symbol].push_back(alpha_s[static_cast<std::size_t>(s)]);
            }
        }
        std::vector<double> resid;  // normalised by the window volatility * sqrt(h)
        resid.reserve(val_w.size());
        const double sq = std::sqrt(static_cast<double>(cfg.horizons[static_cast<std::size_t>(h)]));
        for (std::size_t i = 0; i < val_w.size(); ++i) {
            const double scale_i = cfg.general ? alpha_s[static_cast<std::size_t>(val_w[i].stock)] *
                                                     tscale[static_cast<std::size_t>(h)]
                                               : static_cast<double>(out.scale[static_cast<std::size_t>(h)]);
            resid.push_back((target(val_w[i], h) - scale_i * y[i * H + h]) / (vol[i] * sq));
        }
        auto [lo, hi] = conformal_bounds(resid, iv.levels);
        if (cfg.general) {  // per-stock width of the 90 % band relative to the pooled one
            const double pooled = conformal_bounds(resid, {0.9}).second[0] - conformal_bounds(resid, {0.9}).first[0];
            std::vector<std::vector<double>> zs(static_cast<std::size_t>(ns));
            for (std::size_t i = 0; i < val_w.size(); ++i) zs[static_cast<std::size_t>(val_w[i].stock)].push_back(resid[i]);
            for (int s = 0; s < ns; ++s) {
                const auto& z = zs[static_cast<std::size_t>(s)];
                if (z.empty()) continue;
                double c = 1.0;
                if (z.size() >= 60 && pooled > 0) {
                    auto b = conformal_bounds(z, {0.9});
                    c = std::clamp((b.second[0] - b.first[0]) / pooled, 0.05, 20.0);
                }
                stock_width[series[static_cast<std::size_t>(s)].symbol].push_back(std::round(c * 1000) / 1000);
            }
        }
        iv.lower.push_back(lo);
        iv.upper.push_back(hi);
        Json e;
        e["val_mape"] = best;
        e["val_mape_unshrunk"] = raw_mape;
        e["val_naive_mape"] = naive;
        e["shrink"] = best_alpha;
        mh[std::to_string(cfg.horizons[static_cast<std::size_t>(h)]) + "d"] = e;
    }
    metrics["validation"] = mh;
    metrics["target_scale"] = tscale;
    if (cfg.general) {
        Json ss = Json::object();
        for (const auto& [sym, a] : stock_shrink)
            if (a.size() == static_cast<std::size_t>(H)) ss[sym] = a;
        metrics["stock_shrink"] = ss;
        Json sw = Json::object();
        for (const auto& [sym, c] : stock_width)
            if (c.size() == static_cast<std::size_t>(H)) sw[sym] = c;
        metrics["stock_interval_scale"] = sw;
    }
    metrics["interval_scaling"] = {{"kind", "window_volatility"}, {"window", W}, {"floor", kMinWindowVolatility}};
    if (cfg.init_from) metrics["initialised_from"] = cfg.init_from->meta.name;
    metrics["split"] = {{"train_targets_before", cfg.val_from}, {"validation_from", cfg.val_from},
                        {"validation_targets_before", cfg.test_from}};
    metrics["windows"] = {{"train", res.train_windows}, {"validation", res.val_windows},
                          {"excluded_events", res.excluded_event_windows}};
    // No wall-clock time in the file: the same inputs and seed must give the same bytes.
    metrics["training"] = {{"epochs", res.report.epochs_run}, {"best_epoch", res.report.best_epoch},
                           {"best_val_loss", res.report.best_val_loss},
                           {"loss", cfg.options.huber_delta > 0 ? "huber" : "mse"}, {"seed", cfg.options.seed}};
    if (cfg.transformer) metrics["training"]["trainer"] = "external (PyTorch, scripts/train_transformer.py)";

    Model& m = res.model;
    m.meta.name = cfg.transformer ? "transformer" : cfg.general ? "general" : cfg.symbols[0];
    m.meta.kind = cfg.transformer ? "transformer" : cfg.general ? "general" : "stock_specific";
    m.meta.trained_at = cfg.trained_at.empty() ? today_utc() : cfg.trained_at;
    m.meta.data_from = data_from;
    m.meta.data_to = data_to;
    if (cfg.general)
        for (const auto& p : series) m.meta.stocks.push_back(p.symbol);
    m.meta.metrics = metrics;
    m.input = spec;
    m.output = out;
    m.intervals = iv;
    m.net = std::move(net);
    return res;
}

}  // namespace stockcast::train
