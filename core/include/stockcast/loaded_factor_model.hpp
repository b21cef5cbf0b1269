// The object the factor module's binding (wasm/factor_bindings.cpp) hands to JavaScript: a parsed
// factor model file with the scratch state of its calls. Everything a call checks lives here, so
// the binding only converts values. Nothing throws: construction records a failed parse (check
// error()), every call returns Result<…>.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stockcast/error.hpp"
#include "stockcast/factor_features.hpp"
#include "stockcast/factor_model.hpp"

namespace stockcast {

class LoadedFactorModel {
public:
    LoadedFactorModel(const std::uint8_t* data, std::size_t size, bool verify_hash);
    ~LoadedFactorModel();
    LoadedFactorModel(const LoadedFactorModel&) = delete;
    LoadedFactorModel& operator=(const LoadedFactorModel&) = delete;

    const Error* error() const { return model_ ? nullptr : &model_.error(); }
    const FactorModel* model() const { return model_ ? &model_.value() : nullptr; }
    // factor_model_summary as JSON text (empty after a failed parse).
    const std::string& info() const { return info_; }

    // One row of raw features, in the model's order.
    Result<FactorPrediction> predict(const std::vector<double>& x, bool clamp);
    // Daily bars, oldest first (high/low empty: taken as close): the core computes the model's
    // features of the last bar (factor_features.hpp), then predicts. `features` receives them.
    Result<FactorPrediction> predict_history(const std::vector<double>& high, const std::vector<double>& low,
                                             const std::vector<double>& close, const std::vector<double>& volume, bool clamp,
                                             std::vector<double>& features);

    static int live();

private:
    Result<FactorModel> model_;
    std::string info_;
    std::vector<double> scratch_;
};

}  // namespace stockcast
