#include "stockcast/features.hpp"

#include <algorithm>
#include <cmath>

namespace stockcast {

namespace {
bool needs_previous(const std::vector<std::string>& f) {
    for (const auto& n : f)
        if (n == "log_return") return true;
    return false;
}
bool needs_volume(const std::vector<std::string>& f) {
    for (const auto& n : f)
        if (n == "log_volume_rel_mean") return true;
    return false;
}
}  // namespace

bool is_known_feature(const std::string& name) {
    return name == "log_close_rel_last" || name == "log_return" || name == "log_volume_rel_mean";
}

Status validate_input_spec(const InputSpec& spec) {
    if (spec.features.empty()) return make_error(ErrorCode::bad_header, "input.features is empty");
    if (spec.scale.size() != spec.features.size())
        return make_error(ErrorCode::bad_header, {"input.scale has ", spec.scale.size(), " entries, features ", spec.features.size()});
    for (std::size_t k = 0; k < spec.features.size(); ++k) {
        if (!is_known_feature(spec.features[k]))
            return make_error(ErrorCode::unknown_architecture, {"unknown input feature '", spec.features[k], "'"});
        if (!std::isfinite(spec.scale[k]) || spec.scale[k] == 0.0f)
            return make_error(ErrorCode::bad_header, {"input.scale[", k, "] must be finite, non-zero"});
    }
    return Ok{};
}

std::size_t required_history(const InputSpec& spec, int window) {
    return static_cast<std::size_t>(window < 1 ? 1 : window) + (needs_previous(spec.features) ? 1u : 0u);
}

double window_volatility(const double* close, std::size_t last, int window) {
    const std::size_t n = static_cast<std::size_t>(window < 2 ? 2 : window) - 1;  // returns
    if (last < n) return kMinWindowVolatility;
    double s1 = 0, s2 = 0;
    for (std::size_t r = last + 1 - n; r <= last; ++r) {
        const double v = std::log(close[r] / close[r - 1]);
        s1 += v;
        s2 += v * v;
    }
    const double m = s1 / static_cast<double>(n);
    const double var = std::max(0.0, s2 / static_cast<double>(n) - m * m);
    return std::max(std::sqrt(var), kMinWindowVolatility);
}

void build_window_raw(const std::vector<std::string>& features, int window, const double* close,
                      const double* volume, std::size_t last, double* out) {
    const std::size_t F = features.size();
    const std::size_t first = last + 1 - static_cast<std::size_t>(window);
    const double log_last = std::log(close[last]);
    double vmean = 0;
    if (needs_volume(features) && volume) {
        for (std::size_t r = first; r <= last; ++r) vmean += volume[r];
        vmean /= window;
    }
    for (int t = 0; t < window; ++t) {
        const std::size_t r = first + static_cast<std::size_t>(t);
        for (std::size_t f = 0; f < F; ++f) {
            const std::string& n = features[f];
            double v = 0;
            if (n == "log_close_rel_last")
                v = std::log(close[r]) - log_last;
            else if (n == "log_return")
                v = std::log(close[r] / close[r - 1]);
            else if (n == "log_volume_rel_mean")
                v = volume ? std::log((1.0 + volume[r]) / (1.0 + vmean)) : 0.0;
            out[static_cast<std::size_t>(t) * F + f] = v;
        }
    }
}

Status build_window(const InputSpec& spec, int window, const HistoryView& h, float* out) {
    if (Status s = validate_input_spec(spec); !s) return s.error();
    if (window < 1) return make_error(ErrorCode::invalid_input, "window must be >= 1");
    const std::size_t need = required_history(spec, window);
    if (h.size < need || h.close == nullptr)
        return history_error("history", static_cast<long long>(need), static_cast<long long>(h.close ? h.size : 0));
    const std::size_t from = h.size - need;
    for (std::size_t r = from; r < h.size; ++r) {
        if (!std::isfinite(h.close[r]) || h.close[r] <= 0)
            return input_error("history.close", {"value ", r, " must be a finite price > 0, got ", h.close[r]});
    }
    const bool vol = needs_volume(spec.features);
    if (vol) {
        if (!h.volume) return input_error("history.volume", "required by the model's features");
        for (std::size_t r = h.size - static_cast<std::size_t>(window); r < h.size; ++r)
            if (!std::isfinite(h.volume[r]) || h.volume[r] < 0)
                return input_error("history.volume", {"value ", r, " must be finite and >= 0"});
    }
    const std::size_t F = spec.features.size();
    std::vector<double> raw(static_cast<std::size_t>(window) * F);
    build_window_raw(spec.features, window, h.close, vol ? h.volume : nullptr, h.size - 1, raw.data());
    for (std::size_t k = 0; k < raw.size(); ++k) out[k] = static_cast<float>(raw[k] * spec.scale[k % F]);
    return Ok{};
}

}  // namespace stockcast
