// Embind bindings: thin by design. One long-lived C++ object kind crosses the boundary (a
// loaded model); data crosses as typed arrays and plain objects. No exception or abort can
// reach JavaScript: the core returns errors as values and they become {ok:false, code, ...}.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <optional>
#include <vector>

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
    return out;
}

template <class T>
std::vector<T> copy_array(const val& array) {
    return emscripten::convertJSArrayToNumberVector<T>(array);
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

}  // namespace

EMSCRIPTEN_BINDINGS(stockcast_core) {
    emscripten::class_<LoadedModel>("LoadedModel")
        .constructor<const val&, bool>()
        .function("error", &LoadedModel::error)
        .function("forward", &LoadedModel::forward)
        .function("summary", &LoadedModel::summary);
    emscripten::function("version", &version);
}
