#include "stockcast/loaded_model.hpp"

#include <cmath>

namespace stockcast {
namespace {

int g_live = 0;

Result<std::vector<HistoryView>> histories_of(const std::vector<double>& closes, const std::vector<double>& volumes,
                                              const std::vector<int>& offsets, std::size_t count) {
    std::vector<HistoryView> out;
    out.reserve(count);
    const auto n = static_cast<long long>(closes.size());
    for (std::size_t i = 0; i < count; ++i) {
        if (offsets[i] < 0 || offsets[i] > offsets[i + 1] || offsets[i + 1] > n)
            return input_error("offsets", "expected increasing offsets within the closes");
        out.push_back(HistoryView{closes.data() + offsets[i], volumes.empty() ? nullptr : volumes.data() + offsets[i],
                                  static_cast<std::size_t>(offsets[i + 1] - offsets[i])});
    }
    return out;
}

Status check_volumes(const std::vector<double>& closes, const std::vector<double>& volumes) {
    if (!volumes.empty() && volumes.size() != closes.size()) return input_error("volumes", "expected one per close");
    return Ok{};
}

}  // namespace

LoadedModel::LoadedModel(const std::uint8_t* data, std::size_t size, bool verify_hash)
    : model_(parse_model(data, size, ParseOptions{verify_hash, true})) {
    ++g_live;
    if (model_) header_ = std::string(model_header_text(data, size).value());  // parse_model has checked the layout
}

Result<nn::Kernel> use_kernel(Model& m, nn::Kernel kernel, nn::Workspace& ws) {
    m.net.int16.clear();
    if (kernel == nn::Kernel::float32) return kernel;
    m.net.quantize();
    const TestVector& t = m.test_vector;
    const int n = static_cast<int>(t.y.size()) / m.net.arch.outputs;
    std::vector<float> y(t.y.size());
    Status s = n > 0 ? m.net.forward(t.x.data(), t.stock_ids.empty() ? nullptr : t.stock_ids.data(), n, y.data(), ws) : Status(Ok{});
    for (std::size_t i = 0; s && i < y.size(); ++i)
        if (!(std::abs(y[i] - t.y[i]) <= kInt16Tolerance)) s = make_error(ErrorCode::test_vector_mismatch, "int16 kernel");
    if (!s) m.net.int16.clear();  // outside the budget on this model's own test vector: float32 serves
    return m.net.kernel();
}

Result<nn::Kernel> LoadedModel::use_kernel(nn::Kernel kernel) {
    if (!model_) return model_.error();
    return stockcast::use_kernel(model_.value(), kernel, workspace_);
}

LoadedModel::~LoadedModel() { --g_live; }

int LoadedModel::live() { return g_live; }

Result<const std::vector<float>*> LoadedModel::forward(const std::vector<float>& x, const std::vector<int>& ids, int batch) {
    if (!model_) return model_.error();
    const nn::Architecture& a = model_.value().net.arch;
    if (batch < 1 || batch > nn::kMaxBatch || x.size() != static_cast<std::uint64_t>(batch) * a.window * a.features)
        return input_error("x", {"expected batch × ", a.window * a.features, " values, got ", x.size()});
    if (!ids.empty() && ids.size() != static_cast<std::size_t>(batch)) return input_error("stockIds", "expected one id per window");
    outputs_.resize(static_cast<std::size_t>(batch) * a.outputs);
    if (Status s = model_.value().net.forward(x.data(), ids.empty() ? nullptr : ids.data(), batch, outputs_.data(), workspace_); !s)
        return s.error();
    return &outputs_;
}

Result<Forecast> LoadedModel::predict(const std::vector<double>& closes, const std::vector<double>& volumes, int stock_id,
                                      double level) const {
    if (!model_) return model_.error();
    if (Status s = check_volumes(closes, volumes); !s) return s.error();
    ForecastOptions options;
    options.level = level;
    return forecast(model_.value(), stock_id, HistoryView{closes.data(), volumes.empty() ? nullptr : volumes.data(), closes.size()},
                    options);
}

Result<std::vector<Result<Forecast>>> LoadedModel::predict_batch(const std::vector<double>& closes, const std::vector<double>& volumes,
                                                                 const std::vector<int>& offsets, const std::vector<int>& ids,
                                                                 double level) const {
    if (!model_) return model_.error();
    if (Status s = check_volumes(closes, volumes); !s) return s.error();
    if (ids.empty() || ids.size() > static_cast<std::size_t>(nn::kMaxBatch))
        return input_error("stockIds", {"expected 1..", nn::kMaxBatch, " histories"});
    if (offsets.size() != ids.size() + 1) return input_error("offsets", "expected one more entry than stockIds");
    auto histories = histories_of(closes, volumes, offsets, ids.size());
    if (!histories) return histories.error();
    ForecastOptions options;
    options.level = level;
    return forecast_batch(model_.value(), ids, histories.value(), options);
}

}  // namespace stockcast
