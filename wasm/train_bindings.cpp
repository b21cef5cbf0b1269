// The trainer module's Embind bindings (stockcast-train.wasm, fetched on the first fineTune):
// conversions only, the logic is core/src/train/finetune.cpp. Every call answers {ok: true, ...}
// or the error value (wasm/result.hpp). A request is one object:
//   {name, dates: string[] (YYYY-MM-DD), closes: Float64Array | number[], volumes?,
//    options?: {maxEpochs, patience, batch, learningRate, dropout, holdout, seed}}
// Two ways to run: FineTuner (start / epoch / finish: the package yields between epochs, so an
// AbortSignal and the page's progress bar are served), and fineTune(base, request, onEpoch), one
// synchronous call that reports each epoch to a JavaScript function and stops when it returns true.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cstdint>
#include <string>
#include <vector>

#include "result.hpp"
#include "stockcast/model.hpp"
#include "stockcast/train.hpp"

using namespace emscripten;
using stockcast::bindings::error_val;
namespace train = stockcast::train;

namespace {

double num(const val& o, const char* key, double fallback) {
    const val v = o[key];
    return v.isNumber() ? v.as<double>() : fallback;
}

train::FineTuneOptions options_of(const val& request) {
    train::FineTuneOptions o;
    const val opt = request["options"];
    if (opt.isUndefined() || opt.isNull()) return o;
    o.max_epochs = static_cast<int>(num(opt, "maxEpochs", o.max_epochs));
    o.patience = static_cast<int>(num(opt, "patience", o.patience));
    o.batch = static_cast<int>(num(opt, "batch", o.batch));
    o.learning_rate = num(opt, "learningRate", o.learning_rate);
    o.dropout = num(opt, "dropout", o.dropout);
    o.holdout_fraction = num(opt, "holdout", o.holdout_fraction);
    o.seed = static_cast<std::uint64_t>(num(opt, "seed", static_cast<double>(o.seed)));
    return o;
}

stockcast::PriceSeries series_of(const val& request) {
    stockcast::PriceSeries p;
    p.symbol = "user";
    const val dates = request["dates"];
    const unsigned n = dates["length"].as<unsigned>();
    p.dates.reserve(n);
    for (unsigned i = 0; i < n; ++i) p.dates.push_back(dates[i].as<std::string>());
    p.close = convertJSArrayToNumberVector<double>(request["closes"]);
    const val vol = request["volumes"];
    if (!vol.isUndefined() && !vol.isNull()) p.volume = convertJSArrayToNumberVector<double>(vol);
    p.low = p.close;
    p.high = p.close;
    return p;
}

val progress_val(const train::EpochProgress& p) {
    val out = val::object();
    out.set("epoch", p.epoch);
    out.set("maxEpochs", p.max_epochs);
    out.set("trainLoss", p.train_loss);
    out.set("valLoss", p.val_loss);
    out.set("best", p.best);
    return out;
}

val result_val(const train::FineTuneResult& r) {
    val out = val::object();
    out.set("ok", true);
    out.set("bytes", val::global("Uint8Array").new_(typed_memory_view(r.bytes.size(), r.bytes.data())).call<val>("slice"));
    out.set("valMape", r.val_mape);
    out.set("valNaiveMape", r.val_naive_mape);
    out.set("coverage90", r.coverage90);
    out.set("epochs", r.report.epochs_run);
    out.set("bestEpoch", r.report.best_epoch);
    out.set("trainWindows", static_cast<double>(r.train_windows));
    out.set("holdoutWindows", static_cast<double>(r.holdout_windows));
    out.set("holdoutFrom", r.holdout_from);
    out.set("seconds", r.report.seconds);
    return out;
}

stockcast::Result<stockcast::Model> base_of(const val& bytes) {
    const std::vector<std::uint8_t> b = convertJSArrayToNumberVector<std::uint8_t>(bytes);
    return stockcast::parse_model(b.data(), b.size());
}

class FineTuner {
public:
    val start(const val& base_bytes, const val& request) {
        auto b = base_of(base_bytes);
        if (!b) return error_val(b.error());
        base_ = std::move(b.value());
        const std::string name = request["name"].isString() ? request["name"].as<std::string>() : std::string();
        if (auto s = session_.start(base_, series_of(request), name, options_of(request)); !s) return error_val(s.error());
        val out = val::object();
        out.set("ok", true);
        out.set("trainWindows", static_cast<double>(session_.train_windows()));
        out.set("holdoutWindows", static_cast<double>(session_.holdout_windows()));
        out.set("initialValLoss", session_.initial_val_loss());
        return out;
    }
    bool done() const { return session_.done(); }
    val epoch() {
        auto p = session_.epoch();
        if (!p) return error_val(p.error());
        val out = progress_val(p.value());
        out.set("ok", true);
        out.set("done", session_.done());
        return out;
    }
    val finish() {
        auto r = session_.finish();
        if (!r) return error_val(r.error());
        return result_val(r.value());
    }

private:
    stockcast::Model base_;  // the session points into it
    train::FineTuneSession session_;
};

// One synchronous run; onEpoch(progress) is called after every epoch, a true answer cancels.
val fine_tune(const val& base_bytes, const val& request, const val& on_epoch) {
    auto b = base_of(base_bytes);
    if (!b) return error_val(b.error());
    bool stop = false;
    auto progress = [&](const train::EpochProgress& p) {
        if (on_epoch.typeOf().as<std::string>() == "function") stop = on_epoch(progress_val(p)).as<bool>();
    };
    const std::string name = request["name"].isString() ? request["name"].as<std::string>() : std::string();
    auto r = train::fine_tune(b.value(), series_of(request), name, options_of(request), progress, [&] { return stop; });
    if (!r) return error_val(r.error());
    return result_val(r.value());
}

double required_rows(const val& base_bytes) {
    auto b = base_of(base_bytes);
    return b ? static_cast<double>(train::fine_tune_required_rows(b.value())) : -1.0;
}

}  // namespace

EMSCRIPTEN_BINDINGS(stockcast_train) {
    stockcast::bindings::register_error_view();
    class_<FineTuner>("FineTuner")
        .constructor<>()
        .function("start", &FineTuner::start)
        .function("done", &FineTuner::done)
        .function("epoch", &FineTuner::epoch)
        .function("finish", &FineTuner::finish);
    function("fineTune", &fine_tune);
    function("requiredRows", &required_rows);
}
