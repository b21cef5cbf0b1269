#include "stockcast/factor_features.hpp"

#include <algorithm>
#include <cmath>

namespace stockcast {
namespace {

std::size_t rows_needed(const std::string& name) {
    if (name == "clv" || name == "range_rel") return 1;
    if (name == "log_volume_rel_20") return 20;
    if (name == "ret_1") return 2;
    if (name == "ret_5") return 6;
    if (name == "rsi_14") return 15;
    return 21;  // ret_20, vol_20
}

Status check_rows(const OhlcvView& b, std::size_t from, std::size_t t, bool volume) {
    for (std::size_t r = from; r <= t; ++r) {
        if (!(std::isfinite(b.close[r]) && b.close[r] > 0))
            return input_error("history.close", {"row ", r, ": expected a finite price > 0, got ", b.close[r]});
        if (b.high && !(std::isfinite(b.high[r]) && b.high[r] >= 0))
            return input_error("history.high", {"row ", r, ": expected a finite price >= 0, got ", b.high[r]});
        if (b.low && !(std::isfinite(b.low[r]) && b.low[r] >= 0))
            return input_error("history.low", {"row ", r, ": expected a finite price >= 0, got ", b.low[r]});
        if (volume && !(std::isfinite(b.volume[r]) && b.volume[r] >= 0))
            return input_error("history.volume", {"row ", r, ": expected a finite volume >= 0, got ", b.volume[r]});
    }
    return Ok{};
}

double feature(const OhlcvView& b, std::size_t t, const std::string& name) {
    const double* c = b.close;
    const double hi = b.high ? b.high[t] : c[t], lo = b.low ? b.low[t] : c[t];
    if (name == "clv") return hi > lo ? std::min(1.0, std::max(0.0, (c[t] - lo) / (hi - lo))) : 0.5;
    if (name == "range_rel") return hi > lo ? (hi - lo) / c[t] : 0.0;
    if (name == "ret_1") return std::log(c[t] / c[t - 1]);
    if (name == "ret_5") return std::log(c[t] / c[t - 5]);
    if (name == "ret_20") return std::log(c[t] / c[t - 20]);
    if (name == "log_volume_rel_20") {
        double sum = 0;
        for (std::size_t r = t - 19; r <= t; ++r) sum += b.volume[r];
        return std::log((1.0 + b.volume[t]) / (1.0 + sum / 20.0));
    }
    if (name == "rsi_14") {
        double up = 0, down = 0;
        for (std::size_t r = t - 13; r <= t; ++r) {
            const double d = c[r] - c[r - 1];
            if (d > 0) up += d;
            else down -= d;
        }
        return up + down > 0 ? 100.0 * up / (up + down) : 50.0;
    }
    // vol_20
    double s1 = 0, s2 = 0;
    for (std::size_t r = t - 19; r <= t; ++r) {
        const double v = std::log(c[r] / c[r - 1]);
        s1 += v;
        s2 += v * v;
    }
    const double mean = s1 / 20.0;
    return std::sqrt(std::max(0.0, s2 / 20.0 - mean * mean));
}

}  // namespace

const std::vector<std::string>& factor_feature_names() {
    static const std::vector<std::string> names{"clv", "log_volume_rel_20", "range_rel", "ret_1", "ret_5", "ret_20", "rsi_14", "vol_20"};
    return names;
}

bool is_factor_feature(const std::string& name) {
    const auto& n = factor_feature_names();
    return std::find(n.begin(), n.end(), name) != n.end();
}

Status factor_features_at(const OhlcvView& bars, std::size_t t, const std::vector<std::string>& names, double* out) {
    if (bars.close == nullptr || t >= bars.size) return history_error("factor features", static_cast<long long>(t) + 1, static_cast<long long>(bars.size), "rows");
    std::size_t need = 1;
    bool volume = false;
    for (const auto& n : names) {
        if (!is_factor_feature(n)) return input_error("features", {"unknown factor feature \"", n, "\""});
        need = std::max(need, rows_needed(n));
        volume = volume || n == "log_volume_rel_20";
    }
    if (t + 1 < need) return history_error("factor features", static_cast<long long>(need), static_cast<long long>(t + 1), "rows");
    if (volume && bars.volume == nullptr) return input_error("history.volume", "required by the feature log_volume_rel_20");
    if (Status s = check_rows(bars, t + 1 - need, t, volume); !s) return s;
    for (std::size_t k = 0; k < names.size(); ++k) out[k] = feature(bars, t, names[k]);
    return Ok{};
}

Result<std::vector<double>> latest_factor_features(const OhlcvView& bars, const std::vector<std::string>& names) {
    std::vector<double> out(names.size());
    if (bars.size == 0) return history_error("factor features", static_cast<long long>(kFactorHistoryRows), 0, "rows");
    if (Status s = factor_features_at(bars, bars.size - 1, names, out.data()); !s) return s.error();
    return out;
}

}  // namespace stockcast
