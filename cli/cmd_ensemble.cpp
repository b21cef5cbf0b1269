// The adaptive ensemble on the command line (issue 15, docs/ensemble.md):
//   stockcast ensemble-fit            the spec from the validation period
//   stockcast predict SYM --model K   one kind's forecast (ensemble, a learner, naive, transformer)
//   stockcast backtest --model K|all  every kind over the test year (cmd_backtest.cpp calls in here)
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "commands.hpp"
#include "stockcast/backtest.hpp"
#include "stockcast/data_files.hpp"
#include "stockcast/ensemble.hpp"
#include "stockcast/ensemble_fit.hpp"
#include "stockcast/routing.hpp"
#include "stockcast/sha256.hpp"

namespace stockcast::cli {

namespace {

const char* const kFitUsage =
    "usage: stockcast ensemble-fit [--manifest models/manifest.json] [--prices DIR] [--network NAME=FILE]... --out FILE.json\n"
    "  fits the ensemble's weighting rule, conformal quantiles and direction calibration on the validation\n"
    "  period (origins and targets 2018-07-01 .. 2020-06-30) and writes the spec (docs/ensemble.md)\n"
    "  --network NAME=FILE   a further network member (e.g. transformer=models/transformer.stkm)\n"
    "  --symbols A,B         only these stocks (tests)\n"
    "  --window N            adaptation window (default 50)\n";

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : s) {
        if (c == sep) {
            if (!cur.empty()) out.push_back(cur);
            cur.clear();
        } else cur += c;
    }
    if (!cur.empty()) out.push_back(cur);
    return out;
}

int fail(const char* cmd, const Error& e) {
    std::fprintf(stderr, "stockcast %s: %s: %s\n", cmd, code_name(e.code), e.message.c_str());
    return 1;
}

std::string dir_of(const std::string& path) {
    const std::size_t slash = path.find_last_of('/');
    return slash == std::string::npos ? "." : path.substr(0, slash);
}

// The manifest's "ensemble" entry's file, checked against its SHA-256.
Result<std::string> read_spec(const std::string& manifest_path, std::string* file_out = nullptr) {
    auto text = read_text_file(manifest_path);
    if (!text) return text.error();
    auto doc = parse_json(text.value());
    if (!doc) return make_error(ErrorCode::invalid_input, manifest_path + ": " + doc.error().message);
    const Json* e = json_find(doc.value(), "ensemble");
    const Json* file = e ? json_find(*e, "file") : nullptr;
    if (!file || !file->is_string())
        return make_error(ErrorCode::model_not_found, manifest_path + " lists no ensemble (run stockcast ensemble-fit; docs/ensemble.md)");
    const std::string path = dir_of(manifest_path) + "/" + file->get<std::string>();
    auto spec = read_text_file(path);
    if (!spec) return spec.error();
    const Json* sha = json_find(*e, "sha256");
    const std::string got = to_hex(sha256(reinterpret_cast<const std::uint8_t*>(spec.value().data()), spec.value().size()));
    if (!sha || !sha->is_string() || sha->get<std::string>() != got)
        return make_error(ErrorCode::hash_mismatch, path + " does not match the SHA-256 in the manifest");
    if (file_out) *file_out = path;
    return spec;
}

// Further network members recorded in the spec ("network_files": {name: file relative to the manifest}).
std::vector<std::pair<std::string, std::string>> spec_networks(const EnsembleSpec& spec, const std::string& dir) {
    std::vector<std::pair<std::string, std::string>> out;
    if (const Json* nf = json_find(spec.document, "network_files"); nf && nf->is_object())
        for (auto it = nf->begin(); it != nf->end(); ++it)
            if (it.value().is_string()) out.emplace_back(it.key(), dir + "/" + it.value().get<std::string>());
    return out;
}

}  // namespace

bool is_model_kind(const std::string& kind) {
    for (const char* k : kModelKinds)
        if (kind == k) return true;
    return false;
}

int cmd_ensemble_fit(int argc, char** argv) {
    EnsembleMembersConfig cfg;
    cfg.manifest_path = "models/manifest.json";
    cfg.prices_dir = "models/data/nse/prices";
    EnsembleFitOptions options;
    std::string out;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--help" || a == "-h") {
            std::fputs(kFitUsage, stdout);
            return 0;
        }
        if (i + 1 >= argc) {
            std::fprintf(stderr, "stockcast ensemble-fit: %s needs a value\n%s", a.c_str(), kFitUsage);
            return 2;
        }
        const std::string v = argv[++i];
        if (a == "--manifest") cfg.manifest_path = v;
        else if (a == "--prices") cfg.prices_dir = v;
        else if (a == "--out") out = v;
        else if (a == "--symbols") cfg.symbols = split(v, ',');
        else if (a == "--network" && v.find('=') != std::string::npos && v.find('=') > 0)
            cfg.networks.emplace_back(v.substr(0, v.find('=')), v.substr(v.find('=') + 1));
        else if (a == "--window" && std::atoi(v.c_str()) >= 1 && std::atoi(v.c_str()) <= kEnsembleMaxWindow)
            options.window = std::atoi(v.c_str());
        else {
            std::fprintf(stderr, "stockcast ensemble-fit: bad option or value: %s %s\n%s", a.c_str(), v.c_str(), kFitUsage);
            return 2;
        }
    }
    if (out.empty()) {
        std::fprintf(stderr, "stockcast ensemble-fit: need --out\n%s", kFitUsage);
        return 2;
    }
    auto members = EnsembleMembers::load(cfg);
    if (!members) return fail("ensemble-fit", members.error());
    std::string log;
    auto doc = fit_ensemble(*members.value(), options, &log);
    if (!doc) return fail("ensemble-fit", doc.error());
    // Network files as the manifest's folder sees them, so predict can load them.
    Json files = Json::object();
    const std::string dir = dir_of(cfg.manifest_path) + "/";
    for (const auto& [name, file] : cfg.networks)
        files[name] = file.rfind(dir, 0) == 0 ? file.substr(dir.size()) : file;
    doc.value()["network_files"] = files;
    // The writer's own check: what we wrote must read back.
    const std::string text = json_dump(doc.value(), 1) + "\n";
    auto back = parse_ensemble_spec(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
    if (!back) return fail("ensemble-fit", back.error());
    FILE* f = std::fopen(out.c_str(), "w");
    if (!f || std::fputs(text.c_str(), f) < 0 || std::fclose(f) != 0) {
        std::fprintf(stderr, "stockcast ensemble-fit: cannot write %s\n", out.c_str());
        return 1;
    }
    std::fputs(log.c_str(), stdout);
    std::printf("wrote %s (%zu bytes)\n", out.c_str(), text.size());
    return 0;
}

// `stockcast predict SYM --model KIND` for every kind but auto/lstm (cmd_predict.cpp serves those).
int predict_kind(const std::string& symbol, const std::string& kind, const std::string& models, const std::string& prices,
                 double level) {
    const std::string manifest_path = models + "/manifest.json";
    auto spec_text = read_spec(manifest_path);
    if (!spec_text) return fail("predict", spec_text.error());
    Ensemble ens(reinterpret_cast<const std::uint8_t*>(spec_text.value().data()), spec_text.value().size());
    if (ens.error()) return fail("predict", *ens.error());
    auto series = load_price_csv(prices + "/" + symbol + ".csv", symbol);
    if (!series) return fail("predict", series.error());
    const PriceSeries& ps = series.value();
    // The members as the package adds them: the routed LSTM, further networks, every learner.
    auto manifest = load_manifest(manifest_path);
    if (!manifest) return fail("predict", manifest.error());
    auto routed = route(manifest.value().routes(), symbol, true);
    if (!routed) return fail("predict", routed.error());
    auto add_net = [&](const std::string& name, const std::string& path, const std::string& sym) -> Status {
        std::string bytes;
        auto m = load_model_file(path, &bytes);
        if (!m) return m.error();
        const int id = m.value().net.arch.has_embedding() ? m.value().stock_id(sym) : -1;
        return ens.add_network(name, std::move(m.value()), id);
    };
    std::vector<std::string> notes;
    if (Status s = add_net("lstm", models + "/" + routed.value().file, routed.value().symbol); !s) notes.push_back("lstm: " + s.error().message);
    for (const auto& [name, file] : spec_networks(*ens.spec(), models))
        if (Status s = add_net(name, file, routed.value().symbol); !s) notes.push_back(name + ": " + s.error().message);
    auto mtext = read_text_file(manifest_path);
    auto mdoc = parse_json(mtext.value());
    if (mdoc)
        if (const Json* fm = json_find(mdoc.value(), "factor_models"); fm && fm->is_array())
            for (const Json& e : *fm) {
                const Json* name = json_find(e, "name");
                const Json* k = json_find(e, "kind");
                const Json* file = json_find(e, "file");
                if (!name || !name->is_string() || name->get<std::string>().rfind("learner_", 0) != 0 || !k || !file) continue;
                auto bytes = read_text_file(models + "/" + file->get<std::string>());
                Status s = bytes ? ens.add_learner(k->get<std::string>(), reinterpret_cast<const std::uint8_t*>(bytes.value().data()),
                                                   bytes.value().size())
                                 : Status(bytes.error());
                if (!s) notes.push_back(name->get<std::string>() + ": " + s.error().message);
            }
    if (kind != "ensemble") {
        const auto& names = ens.spec()->horizons.front().member_names;
        if (std::find(names.begin(), names.end(), kind) == names.end())
            return fail("predict", make_error(ErrorCode::model_not_found, "the ensemble spec has no member '" + kind +
                                                                              "' (fit it with --network " + kind + "=FILE)"));
    }
    std::printf("%s — model %s, data up to %s, last close %.2f\n", symbol.c_str(), kind.c_str(), ps.dates.back().c_str(),
                ps.close.back());
    for (const auto& n : notes) std::printf("  note: %s\n", n.c_str());
    std::printf("%-8s %10s %22s %9s  %-8s %-22s %s\n", "horizon", "predicted", "interval", "return", "direction",
                "P(bear/neutral/bull)", kind == "ensemble" ? "confidence; weights" : "weight in the ensemble; recent MAPE");
    for (const auto& hs : ens.spec()->horizons) {
        EnsembleRequest req;
        req.key = symbol + "|" + ps.dates.back();
        req.high = ps.high;
        req.low = ps.low;
        req.close = ps.close;
        req.volume = ps.volume;
        req.horizon = hs.horizon;
        req.level = level;
        auto a = ens.predict(req);
        if (!a) return fail("predict", a.error());
        const HorizonForecast* f = nullptr;
        std::string extra;
        char buf[96];
        if (kind == "ensemble") {
            f = &a.value().forecast;
            extra = a.value().confidence + ";";
            for (const auto& m : a.value().members) {
                std::snprintf(buf, sizeof buf, " %s %.2f", m.name.c_str(), m.weight);
                extra += m.included ? buf : " " + m.name + " (excluded)";
            }
        } else {
            for (const auto& m : a.value().members)
                if (m.name == kind) {
                    if (!m.included) return fail("predict", make_error(ErrorCode::model_not_found, kind + " is excluded: " + m.reason));
                    f = &m.forecast;
                    std::snprintf(buf, sizeof buf, "%.2f; %.2f %%", m.weight, m.recent_error);
                    extra = buf;
                }
            if (!f) return fail("predict", make_error(ErrorCode::model_not_found, "the ensemble has no member '" + kind + "'"));
        }
        char interval[64], probs[64];
        std::snprintf(interval, sizeof interval, "[%.2f, %.2f] %d%%", f->lower, f->upper, static_cast<int>(f->level * 100 + 0.5));
        std::snprintf(probs, sizeof probs, "%.2f / %.2f / %.2f", f->p_bearish, f->p_neutral, f->p_bullish);
        std::printf("%-8s %10.2f %22s %+8.2f%%  %-8s %-22s %s\n", (std::to_string(hs.horizon) + "d").c_str(), f->price, interval,
                    100 * f->expected_return, f->direction.c_str(), probs, extra.c_str());
    }
    return 0;
}

// `stockcast backtest --model KIND|all`: rows of every requested kind over [from, to].
int backtest_kind(const std::string& kind, const std::string& manifest_path, const std::string& prices, const std::string& from,
                  const std::string& to, const std::string& out) {
    auto spec_text = read_spec(manifest_path);
    if (!spec_text) return fail("backtest", spec_text.error());
    auto spec = parse_ensemble_spec(reinterpret_cast<const std::uint8_t*>(spec_text.value().data()), spec_text.value().size());
    if (!spec) return fail("backtest", spec.error());
    EnsembleMembersConfig cfg;
    cfg.manifest_path = manifest_path;
    cfg.prices_dir = prices;
    cfg.networks = spec_networks(spec.value(), dir_of(manifest_path));
    auto members = EnsembleMembers::load(cfg);
    if (!members) return fail("backtest", members.error());
    std::vector<std::string> kinds;
    if (kind != "all") kinds.push_back(kind == "auto" ? "lstm" : kind);
    auto rows = backtest_kinds(*members.value(), spec.value(), from, to, kinds);
    if (!rows) return fail("backtest", rows.error());
    if (rows.value().empty()) return fail("backtest", make_error(ErrorCode::model_not_found, "no rows for model '" + kind + "'"));
    if (Status s = write_kind_rows_csv(rows.value(), out); !s) return fail("backtest", s.error());
    // Per kind and horizon: median over stocks of MAPE / naive MAPE (same rows), pooled 90 % coverage.
    struct Acc {
        double ape = 0, naive = 0;
        std::size_t n = 0, covered = 0;
    };
    std::map<std::string, std::map<int, std::map<std::string, Acc>>> by;
    for (const auto& r : rows.value()) {
        Acc& a = by[r.kind][r.horizon][r.symbol];
        a.ape += std::abs(r.predicted - r.actual) / r.actual;
        a.naive += std::abs(r.close - r.actual) / r.actual;
        a.covered += r.actual >= r.lower && r.actual <= r.upper;
        ++a.n;
    }
    std::printf("%zu rows -> %s\n%-18s %7s %8s %13s %12s\n", rows.value().size(), out.c_str(), "kind", "horizon", "rows",
                "median ratio", "cov90 pooled");
    for (const auto& [k, hs] : by)
        for (const auto& [h, syms] : hs) {
            std::vector<double> ratios;
            std::size_t n = 0, cov = 0;
            for (const auto& [sym, a] : syms) {
                (void)sym;
                if (a.naive > 0) ratios.push_back(a.ape / a.naive);
                n += a.n;
                cov += a.covered;
            }
            std::sort(ratios.begin(), ratios.end());
            const double med = ratios.empty() ? NAN
                                              : ratios.size() % 2 ? ratios[ratios.size() / 2]
                                                                  : 0.5 * (ratios[ratios.size() / 2 - 1] + ratios[ratios.size() / 2]);
            std::printf("%-18s %6dd %8zu %13.4f %11.1f%%\n", k.c_str(), h, n, med, 100.0 * static_cast<double>(cov) / static_cast<double>(n));
        }
    return 0;
}

}  // namespace stockcast::cli
