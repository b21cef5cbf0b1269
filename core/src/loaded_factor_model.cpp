#include "stockcast/loaded_factor_model.hpp"

namespace stockcast {
namespace {
int g_live_factor = 0;
}

LoadedFactorModel::LoadedFactorModel(const std::uint8_t* data, std::size_t size, bool verify_hash)
    : model_(parse_factor_model(data, size, FactorParseOptions{verify_hash, true})) {
    if (model_) info_ = json_dump(factor_model_summary(model_.value()));
    ++g_live_factor;
}

LoadedFactorModel::~LoadedFactorModel() { --g_live_factor; }

int LoadedFactorModel::live() { return g_live_factor; }

Result<FactorPrediction> LoadedFactorModel::predict(const std::vector<double>& x, bool clamp) {
    if (!model_) return model_.error();
    return predict_factors(model_.value(), x, clamp, scratch_);
}

Result<FactorPrediction> LoadedFactorModel::predict_history(const std::vector<double>& high, const std::vector<double>& low,
                                                            const std::vector<double>& close, const std::vector<double>& volume,
                                                            bool clamp, std::vector<double>& features) {
    if (!model_) return model_.error();
    const std::size_t n = close.size();
    if (!high.empty() && high.size() != n) return input_error("history.high", "expected one per close");
    if (!low.empty() && low.size() != n) return input_error("history.low", "expected one per close");
    if (!volume.empty() && volume.size() != n) return input_error("history.volume", "expected one per close");
    const OhlcvView bars{high.empty() ? nullptr : high.data(), low.empty() ? nullptr : low.data(), close.data(),
                         volume.empty() ? nullptr : volume.data(), n};
    auto row = latest_factor_features(bars, model_.value().features);
    if (!row) return row.error();
    features = row.value();
    return predict_factors(model_.value(), features, clamp, scratch_);
}

}  // namespace stockcast
