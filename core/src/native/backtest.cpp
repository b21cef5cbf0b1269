#include "stockcast/backtest.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <dirent.h>
#include <fstream>
#include <map>
#include <memory>

#include "stockcast/data_files.hpp"
#include "stockcast/forecast.hpp"
#include "stockcast/json.hpp"
#include "stockcast/sha256.hpp"

namespace stockcast {

namespace {

std::string str_field(const Json& j, const char* key) {
    const Json* v = json_find(j, key);
    return v && v->is_string() ? v->get<std::string>() : std::string();
}

double median(std::vector<double> v) {
    if (v.empty()) return std::nan("");
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

struct LoadedModel {
    Model model;
};

Result<std::shared_ptr<LoadedModel>> load_model_file(const std::string& path, const std::string& sha, bool verify, nn::Kernel kernel) {
    auto text = read_text_file(path);
    if (!text) return text.error();
    const std::string& s = text.value();
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(s.data());
    if (verify && !sha.empty()) {
        const std::string got = to_hex(sha256(bytes, s.size()));
        if (got != sha)
            return make_error(ErrorCode::hash_mismatch, path + ": SHA-256 " + got + " differs from the manifest's " + sha);
    }
    auto m = parse_model(bytes, s.size());
    if (!m) return make_error(m.error().code, path + ": " + m.error().message);
    auto lm = std::make_shared<LoadedModel>();
    lm->model = std::move(m.value());
    nn::Workspace ws;
    if (auto k = use_kernel(lm->model, kernel, ws); !k) return k.error();
    return lm;
}

}  // namespace

Result<Manifest> load_manifest(const std::string& path) {
    auto text = read_text_file(path);
    if (!text) return text.error();
    auto parsed = parse_json(text.value());
    if (!parsed) return make_error(ErrorCode::invalid_input, path + ": " + parsed.error().message);
    const Json& j = parsed.value();
    if (!j.is_object()) return make_error(ErrorCode::invalid_input, path + ": not a JSON object");
    Manifest m;
    const std::size_t slash = path.find_last_of('/');
    m.dir = slash == std::string::npos ? "." : path.substr(0, slash);
    const Json* models = json_find(j, "models");
    if (models && models->is_array())
        for (const auto& e : *models)
            if (str_field(e, "kind") == "general") {
                m.general_file = str_field(e, "file");
                m.general_sha256 = str_field(e, "sha256");
            }
    const Json* stocks = json_find(j, "stocks");
    if (!stocks || !stocks->is_array()) return make_error(ErrorCode::invalid_input, path + ": missing \"stocks\" array");
    for (const auto& e : *stocks) {
        ManifestStock s;
        s.symbol = str_field(e, "symbol");
        s.name = str_field(e, "name");
        s.sector = str_field(e, "sector");
        s.file = str_field(e, "file");
        s.model_type = str_field(e, "model_type");
        s.sha256 = str_field(e, "sha256");
        if (const Json* fallback = json_find(e, "fallback")) s.fallback_file = str_field(*fallback, "file");
        if (s.symbol.empty() || s.file.empty() || (s.model_type != "stock_specific" && s.model_type != "general"))
            return make_error(ErrorCode::invalid_input, path + ": a stock entry lacks symbol, file or a valid model_type");
        m.stocks.push_back(std::move(s));
    }
    return m;
}

RouteTable Manifest::routes() const {
    RouteTable table;
    table.general_file = general_file;
    for (const ManifestStock& s : stocks) table.stocks.push_back({s.symbol, s.file, s.model_type, s.fallback_file});
    return table;
}

const ManifestStock* Manifest::find(const std::string& symbol) const {
    for (const ManifestStock& s : stocks)
        if (s.symbol == symbol) return &s;
    return nullptr;
}

std::string Manifest::sha256_of(const std::string& file) const {
    if (file == general_file) return general_sha256;
    for (const ManifestStock& s : stocks)
        if (s.file == file) return s.sha256;
    return {};
}

std::vector<HorizonSummary> summarize_backtest(const std::vector<BacktestRow>& rows) {
    struct Acc {
        double ape = 0, naive = 0, cover = 0;
        std::size_t n = 0;
    };
    std::map<int, std::map<std::string, Acc>> by;
    for (const auto& r : rows) {
        Acc& a = by[r.horizon][r.symbol];
        a.ape += std::abs(r.predicted - r.actual) / r.actual;
        a.naive += std::abs(r.close - r.actual) / r.actual;
        a.cover += (r.actual >= r.lower && r.actual <= r.upper) ? 1 : 0;
        ++a.n;
    }
    std::vector<HorizonSummary> out;
    for (const auto& [h, syms] : by) {
        HorizonSummary s;
        s.horizon = h;
        std::vector<double> mape, naive, ratio, cov;
        double covered = 0;
        for (const auto& [sym, a] : syms) {
            (void)sym;
            const double n = static_cast<double>(a.n);
            mape.push_back(100 * a.ape / n);
            naive.push_back(100 * a.naive / n);
            if (a.naive > 0) ratio.push_back(a.ape / a.naive);
            cov.push_back(a.cover / n);
            covered += a.cover;
            s.rows += a.n;
        }
        s.symbols = syms.size();
        s.median_mape = median(mape);
        s.median_naive_mape = median(naive);
        s.median_ratio = median(ratio);
        s.median_coverage = median(cov);
        s.coverage = s.rows ? covered / static_cast<double>(s.rows) : std::nan("");
        out.push_back(s);
    }
    return out;
}

Result<BacktestResult> run_backtest(const BacktestConfig& cfg) {
    if (!is_iso_date(cfg.from) || !is_iso_date(cfg.to) || cfg.to < cfg.from)
        return make_error(ErrorCode::invalid_input, "need ISO dates from <= to");
    Manifest one_model;  // --model-file: every symbol routed to it below
    auto man = cfg.model_file.empty() ? load_manifest(cfg.manifest_path) : Result<Manifest>(one_model);
    if (!man) return man.error();
    const Manifest& mf = man.value();
    std::map<std::string, std::shared_ptr<LoadedModel>> cache;
    auto get_model = [&](const std::string& file, const std::string& sha) -> Result<std::shared_ptr<LoadedModel>> {
        auto it = cache.find(file);
        if (it != cache.end()) return it->second;
        auto lm = cfg.model_file.empty() ? load_model_file(mf.dir + "/" + file, sha, cfg.verify_sha256, cfg.kernel)
                                         : load_model_file(cfg.model_file, "", false, cfg.kernel);
        if (!lm) return lm.error();
        cache[file] = lm.value();
        return lm.value();
    };
    const RouteTable routes = mf.routes();

    std::vector<std::string> files;
    DIR* d = opendir(cfg.prices_dir.c_str());
    if (!d) return make_error(ErrorCode::invalid_input, "cannot open prices folder " + cfg.prices_dir);
    while (dirent* e = readdir(d)) {
        const std::string n = e->d_name;
        if (n.size() > 4 && n.compare(n.size() - 4, 4, ".csv") == 0) files.push_back(n);
    }
    closedir(d);
    std::sort(files.begin(), files.end());

    BacktestResult res;
    ForecastOptions fo;
    fo.level = cfg.level;
    for (const auto& fname : files) {
        const std::string sym = fname.substr(0, fname.size() - 4);
        auto series = load_price_csv(cfg.prices_dir + "/" + fname, sym);
        if (!series) {
            res.skipped.push_back(sym + ": " + series.error().message);
            continue;
        }
        const PriceSeries& p = series.value();
        // Every symbol has its prices here: an unlisted one is served by the general model.
        auto routed = cfg.model_file.empty() ? route(routes, sym, /*has_history=*/true) : Result<Route>(Route{});
        if (!routed) {
            res.skipped.push_back(sym + ": " + routed.error().message);
            continue;
        }
        const Route& rt = routed.value();
        auto lm = get_model(rt.file, mf.sha256_of(rt.file));
        if (!lm) return lm.error();
        const Model& model = lm.value()->model;
        const int id = model.net.arch.has_embedding() ? model.stock_id(sym) : -1;
        const std::string type = cfg.model_file.empty() ? served_model_type(rt.model_type, model.net.arch.has_embedding(), id)
                                                        : model.meta.kind;
        const std::size_t need = required_history(model.input, model.net.arch.window);
        std::vector<HistoryView> views;
        std::vector<std::size_t> origins;
        for (std::size_t t = p.lower_bound(cfg.from); t < p.size() && p.dates[t] <= cfg.to; ++t) {
            if (t + 1 < need) continue;
            views.push_back({p.close.data(), p.volume.data(), t + 1});
            origins.push_back(t);
        }
        if (views.empty()) {
            res.skipped.push_back(sym + ": no origin in range with enough history");
            continue;
        }
        auto fc = forecast_batch(model, std::vector<int>(views.size(), id), views, fo);
        if (!fc) return make_error(fc.error().code, sym + ": " + fc.error().message);
        for (std::size_t k = 0; k < origins.size(); ++k) {
            const auto& f = fc.value()[k];
            if (!f) {
                res.skipped.push_back(sym + " " + p.dates[origins[k]] + ": " + f.error().message);
                continue;
            }
            for (const auto& hf : f.value().horizons) {
                const std::size_t ta = origins[k] + static_cast<std::size_t>(hf.horizon);
                if (ta >= p.size()) continue;
                BacktestRow r;
                r.symbol = sym;
                r.origin = p.dates[origins[k]];
                r.horizon = hf.horizon;
                r.close = p.close[origins[k]];
                r.predicted = hf.price;
                r.lower = hf.lower;
                r.upper = hf.upper;
                r.actual = p.close[ta];
                r.direction = hf.direction;
                r.actual_direction = realised_direction(r.close, r.actual, hf.horizon, fo);
                r.model_type = type;
                res.rows.push_back(std::move(r));
            }
        }
    }
    res.summary = summarize_backtest(res.rows);
    return res;
}

Status write_backtest_csv(const std::vector<BacktestRow>& rows, const std::string& path) {
    FILE* f = std::fopen(path.c_str(), "w");
    if (!f) return make_error(ErrorCode::invalid_input, "cannot write " + path);
    std::fputs("symbol,origin,horizon,close,predicted,lower90,upper90,actual,model_type,direction,actual_direction\n", f);
    for (const auto& r : rows)
        std::fprintf(f, "%s,%s,%d,%.10g,%.6f,%.6f,%.6f,%.10g,%s,%s,%s\n", r.symbol.c_str(), r.origin.c_str(), r.horizon,
                     r.close, r.predicted, r.lower, r.upper, r.actual, r.model_type.c_str(), r.direction.c_str(),
                     r.actual_direction.c_str());
    const bool ok = std::fclose(f) == 0;
    if (!ok) return make_error(ErrorCode::invalid_input, "cannot write " + path);
    return Ok{};
}

}  // namespace stockcast
