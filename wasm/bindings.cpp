// The forecasting module's C ABI: thin by design, no logic of its own. The .wasm is standalone
// (no Emscripten JavaScript glue); web/src/wasm.js is its only caller and mirrors the layouts
// below. One long-lived object crosses the boundary (a loaded model, freed by sc_model_free);
// data crosses as numbers in linear memory. Nothing can throw or abort into JavaScript: the core
// returns errors as values, and a failed call leaves its error in sc_error().
#include <cstdint>
#include <new>
#include <string>
#include <vector>

#include "abi.hpp"
#include "stockcast/forecast.hpp"
#include "stockcast/model.hpp"

using namespace stockcast;

namespace {

// The last error, as wasm.js reads it: four C strings, then required/provided (-1: none).
struct ErrorView {
    const char* code;
    const char* detail;
    const char* message;
    const char* field;
    double required;
    double provided;
};
Error g_error{ErrorCode::invalid_input, ""};
ErrorView g_error_view{};

void set_error(const Error& e) {
    g_error = e;
    g_error_view = ErrorView{code_category(e.code), code_name(e.code), g_error.message.c_str(), g_error.field.c_str(),
                             static_cast<double>(e.required), static_cast<double>(e.provided)};
}

// Per horizon: horizon, log return, expected return, price, lower, upper, level, direction
// (-1 bearish, 0 neutral, 1 bullish), p_bearish, p_neutral, p_bullish.
constexpr int kHorizonFields = 11;

void append_forecast(const Forecast& f, std::vector<double>& out) {
    out.push_back(f.last_close);
    out.push_back(static_cast<double>(f.horizons.size()));
    for (const HorizonForecast& h : f.horizons) {
        const double direction = h.direction == "bullish" ? 1 : h.direction == "bearish" ? -1 : 0;
        const double fields[kHorizonFields] = {static_cast<double>(h.horizon), h.log_return, h.expected_return, h.price,
                                               h.lower, h.upper, h.level, direction, h.p_bearish, h.p_neutral, h.p_bullish};
        out.insert(out.end(), fields, fields + kHorizonFields);
    }
}

struct LoadedModel {
    Model model;
    std::string header;        // the file's JSON header text (wasm.js parses it once)
    nn::Workspace workspace;
    std::vector<float> outputs;   // of the last forward
    std::vector<double> results;  // encoded forecasts of the last predict / predict_batch
    std::vector<Error> item_errors;  // of the last predict_batch, in item order
};

Result<std::vector<HistoryView>> histories_of(const double* closes, const double* volumes, int n_closes,
                                              const int* offsets, int count) {
    std::vector<HistoryView> out;
    for (int i = 0; i < count; ++i) {
        if (offsets[i] < 0 || offsets[i] > offsets[i + 1] || offsets[i + 1] > n_closes)
            return input_error("offsets", "expected increasing offsets within the closes");
        out.push_back(HistoryView{closes + offsets[i], volumes ? volumes + offsets[i] : nullptr,
                                  static_cast<std::size_t>(offsets[i + 1] - offsets[i])});
    }
    return out;
}

}  // namespace

SC_EXPORT const ErrorView* sc_error() { return &g_error_view; }

SC_EXPORT const char* sc_version() { return "0.1.0"; }

// Parses a model file (copied out of `data`, which may be the scratch buffer). Null on error.
SC_EXPORT LoadedModel* sc_model_load(const std::uint8_t* data, std::uint32_t size, int verify_hash) {
    ParseOptions options;
    options.verify_hash = verify_hash != 0;
    auto parsed = parse_model(data, size, options);
    if (!parsed) {
        set_error(parsed.error());
        return nullptr;
    }
    auto* m = new (std::nothrow) LoadedModel{std::move(parsed).value(), {}, {}, {}, {}, {}};
    if (m == nullptr) {
        set_error(make_error(ErrorCode::dimension_too_large, "model: out of memory"));
        return nullptr;
    }
    m->header = model_header_text(data, size).value();  // parse_model has checked the layout
    return m;
}

SC_EXPORT void sc_model_free(LoadedModel* m) { delete m; }

SC_EXPORT const char* sc_model_header(const LoadedModel* m) { return m->header.data(); }
SC_EXPORT std::uint32_t sc_model_header_size(const LoadedModel* m) { return static_cast<std::uint32_t>(m->header.size()); }

// Raw network: x holds batch windows (window × features each); ids one per window or null.
SC_EXPORT int sc_model_forward(LoadedModel* m, const float* x, std::uint32_t n_x, const int* ids, int batch) {
    const nn::Architecture& a = m->model.net.arch;
    if (batch < 1 || batch > nn::kMaxBatch || n_x != static_cast<std::uint64_t>(batch) * a.window * a.features) {
        set_error(input_error("x", {"expected batch × ", a.window * a.features, " values, got ", n_x}));
        return 0;
    }
    m->outputs.resize(static_cast<std::size_t>(batch) * a.outputs);
    if (Status s = m->model.net.forward(x, ids, batch, m->outputs.data(), m->workspace); !s) {
        set_error(s.error());
        return 0;
    }
    return 1;
}
SC_EXPORT const float* sc_model_outputs(const LoadedModel* m) { return m->outputs.data(); }
SC_EXPORT std::uint32_t sc_model_output_count(const LoadedModel* m) { return static_cast<std::uint32_t>(m->outputs.size()); }

// One history (oldest first; volumes may be null). Results: [last close, H, H × kHorizonFields].
SC_EXPORT int sc_model_predict(LoadedModel* m, const double* closes, const double* volumes, std::uint32_t n, int stock_id,
                               double level) {
    ForecastOptions options;
    options.level = level;
    auto f = forecast(m->model, stock_id, HistoryView{closes, volumes, n}, options);
    if (!f) {
        set_error(f.error());
        return 0;
    }
    m->results.clear();
    append_forecast(f.value(), m->results);
    return 1;
}

// Many histories in one network call: history i is closes[offsets[i] .. offsets[i+1]) (count + 1
// offsets). Results: per history 1 and its forecast, or 0 (its error: sc_model_item_error).
SC_EXPORT int sc_model_predict_batch(LoadedModel* m, const double* closes, const double* volumes, int n_closes,
                                     const int* offsets, const int* ids, int count, double level) {
    if (count < 1 || count > nn::kMaxBatch) {
        set_error(input_error("stockIds", {"expected 1..", nn::kMaxBatch, " histories"}));
        return 0;
    }
    auto histories = histories_of(closes, volumes, n_closes, offsets, count);
    if (!histories) {
        set_error(histories.error());
        return 0;
    }
    ForecastOptions options;
    options.level = level;
    auto batch = forecast_batch(m->model, std::vector<int>(ids, ids + count), histories.value(), options);
    if (!batch) {
        set_error(batch.error());
        return 0;
    }
    m->results.clear();
    m->item_errors.clear();
    for (const auto& r : batch.value()) {
        m->results.push_back(r ? 1 : 0);
        if (r) append_forecast(r.value(), m->results);
        else m->item_errors.push_back(r.error());
    }
    return 1;
}
SC_EXPORT const double* sc_model_results(const LoadedModel* m) { return m->results.data(); }

// Makes the k-th failed item of the last predict_batch the current sc_error().
SC_EXPORT void sc_model_item_error(const LoadedModel* m, std::uint32_t k) {
    if (k < m->item_errors.size()) set_error(m->item_errors[k]);
}
