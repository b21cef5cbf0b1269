// Embind bindings: thin by design. One long-lived C++ object kind crosses the boundary (a
// loaded model); data crosses as typed arrays and plain objects. No exception or abort can
// reach JavaScript: the core returns errors as values and they become {ok:false, code, ...}.
#include <emscripten/bind.h>
#include <emscripten/heap.h>
#include <emscripten/val.h>

#include <optional>
#include <vector>

#include "stockcast/forecast.hpp"
#include "stockcast/model.hpp"

using emscripten::val;
using namespace stockcast;

namespace {

val error_value(const Error& e) {
    val out = val::object();
    out.set("ok", false);
    out.set("code", std::string(code_category(e.code)));
    out.set("detail", std::string(code_name(e.code)));
    out.set("message", e.message);
    if (!e.field.empty()) out.set("field", e.field);
    if (e.required >= 0) out.set("required", static_cast<double>(e.required));
    if (e.provided >= 0) out.set("provided", static_cast<double>(e.provided));
    return out;
}

template <class T>
std::vector<T> copy_array(const val& array) {
    return emscripten::convertJSArrayToNumberVector<T>(array);
}

val forecast_value(const Forecast& f) {
    val horizons = val::array();
    for (const HorizonForecast& h : f.horizons) {
        val o = val::object();
        o.set("horizon", h.horizon);
        o.set("logReturn", h.log_return);
        o.set("expectedReturn", h.expected_return);
        o.set("price", h.price);
        o.set("lower", h.lower);
        o.set("upper", h.upper);
        o.set("level", h.level);
        o.set("direction", h.direction);
        o.set("pBearish", h.p_bearish);
        o.set("pNeutral", h.p_neutral);
        o.set("pBullish", h.p_bullish);
        horizons.call<void>("push", o);
    }
    val out = val::object();
    out.set("ok", true);
    out.set("lastClose", f.last_close);
    out.set("horizons", horizons);
    return out;
}

// Construct with the file bytes; check error() before use, and delete() it in every case.
// A failed parse holds no model, so nothing is half-loaded.
class LoadedModel {
public:
    LoadedModel(const val& bytes, bool verify_hash) {
        const std::vector<std::uint8_t> data = copy_array<std::uint8_t>(bytes);
        ParseOptions options;
        options.verify_hash = verify_hash;
        auto parsed = parse_model(data.data(), data.size(), options);
        if (parsed) model_.emplace(std::move(parsed).value());
        else error_ = parsed.error();
    }

    // null when loaded; otherwise {ok:false, code, detail, message}.
    val error() const { return model_ ? val::null() : error_value(error_); }

    // {ok:true, y: Float32Array(batch × outputs)} or an error value.
    val forward(const val& x, const val& stock_ids, int batch) {
        if (!model_) return error_value(error_);
        const std::vector<float> input = copy_array<float>(x);
        const std::vector<int> ids = copy_array<int>(stock_ids);
        const nn::Architecture& a = model_->net.arch;
        if (batch < 1 || batch > nn::kMaxBatch || input.size() != static_cast<std::size_t>(batch) * a.window * a.features)
            return error_value(make_error(ErrorCode::invalid_input, "x: expected batch × " + std::to_string(a.window * a.features) +
                                                                        " values, got " + std::to_string(input.size())));
        if (a.has_embedding() && ids.size() != static_cast<std::size_t>(batch))
            return error_value(make_error(ErrorCode::invalid_input, "stock_ids: expected one id per window"));
        y_.resize(static_cast<std::size_t>(batch) * a.outputs);
        Status s = model_->net.forward(input.data(), ids.empty() ? nullptr : ids.data(), batch, y_.data(), ws_);
        if (!s) return error_value(s.error());
        val out = val::object();
        out.set("ok", true);
        out.set("y", val::global("Float32Array").new_(emscripten::typed_memory_view(y_.size(), y_.data())));
        return out;
    }

    // One history: closes (and optional volumes, or null) oldest first; stockId as in
    // Model::stock_id (-1: unseen stock, neutral embedding). {ok, lastClose, horizons[]} or error.
    val predict(const val& closes, const val& volumes, int stock_id, double level) {
        if (!model_) return error_value(error_);
        const std::vector<double> c = copy_array<double>(closes);
        const std::vector<double> v = volumes.isNull() || volumes.isUndefined() ? std::vector<double>{} : copy_array<double>(volumes);
        if (!v.empty() && v.size() != c.size())
            return error_value(make_error(ErrorCode::invalid_input, "volumes: expected one per close"));
        ForecastOptions options;
        options.level = level;
        auto f = forecast(*model_, stock_id, HistoryView{c.data(), v.empty() ? nullptr : v.data(), c.size()}, options);
        return f ? forecast_value(f.value()) : error_value(f.error());
    }

    // Many histories in one network call: closes (and optional volumes, or null) concatenated,
    // offsets[i]..offsets[i+1] per history (n+1 entries). {ok, results: [forecast or error each]}.
    val predictBatch(const val& closes, const val& volumes, const val& offsets, const val& stock_ids, double level) {
        if (!model_) return error_value(error_);
        const std::vector<double> c = copy_array<double>(closes);
        const std::vector<double> v = volumes.isNull() || volumes.isUndefined() ? std::vector<double>{} : copy_array<double>(volumes);
        if (!v.empty() && v.size() != c.size())
            return error_value(input_error("volumes", "expected one per close"));
        const std::vector<int> off = copy_array<int>(offsets);
        const std::vector<int> ids = copy_array<int>(stock_ids);
        if (off.size() < 2 || ids.size() + 1 != off.size())
            return error_value(make_error(ErrorCode::invalid_input, "offsets: expected one more entry than stockIds"));
        std::vector<HistoryView> histories;
        for (std::size_t i = 0; i + 1 < off.size(); ++i) {
            if (off[i] < 0 || off[i] > off[i + 1] || static_cast<std::size_t>(off[i + 1]) > c.size())
                return error_value(make_error(ErrorCode::invalid_input, "offsets: not increasing within the closes"));
            histories.push_back(HistoryView{c.data() + off[i], v.empty() ? nullptr : v.data() + off[i],
                                            static_cast<std::size_t>(off[i + 1] - off[i])});
        }
        ForecastOptions options;
        options.level = level;
        auto batch = forecast_batch(*model_, ids, histories, options);
        if (!batch) return error_value(batch.error());
        val results = val::array();
        for (const auto& r : batch.value()) results.call<void>("push", r ? forecast_value(r.value()) : error_value(r.error()));
        val out = val::object();
        out.set("ok", true);
        out.set("results", results);
        return out;
    }

    std::string summary() const {
        return model_ ? model_summary(*model_).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) : "null";
    }

private:
    std::optional<Model> model_;
    Error error_{ErrorCode::invalid_input, ""};
    nn::Workspace ws_;
    std::vector<float> y_;
};

std::string version() { return "0.1.0"; }

// Bytes of linear memory the module holds now (for leak checks: it must stay flat).
double heap_bytes() { return static_cast<double>(emscripten_get_heap_size()); }

}  // namespace

EMSCRIPTEN_BINDINGS(stockcast_core) {
    emscripten::class_<LoadedModel>("LoadedModel")
        .constructor<const val&, bool>()
        .function("error", &LoadedModel::error)
        .function("forward", &LoadedModel::forward)
        .function("predict", &LoadedModel::predict)
        .function("predictBatch", &LoadedModel::predictBatch)
        .function("summary", &LoadedModel::summary);
    emscripten::function("heapBytes", &heap_bytes);
    emscripten::function("version", &version);
}
