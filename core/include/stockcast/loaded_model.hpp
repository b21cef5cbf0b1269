// The one long-lived object the WebAssembly binding (wasm/bindings.cpp) hands to JavaScript: a
// parsed model file with the scratch state of its calls. Everything a call checks lives here, so
// the binding only converts values. Nothing throws: construction records a failed parse (check
// error()), every call returns Result<…>.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stockcast/error.hpp"
#include "stockcast/forecast.hpp"
#include "stockcast/model.hpp"
#include "stockcast/nn.hpp"

namespace stockcast {

class LoadedModel {
public:
    // Parses a model file (the bytes are not kept). A failed parse leaves an object whose error()
    // is that failure and whose calls all return it.
    LoadedModel(const std::uint8_t* data, std::size_t size, bool verify_hash);

    // stockcast::use_kernel on this model (call it right after loading).
    Result<nn::Kernel> use_kernel(nn::Kernel kernel);
    nn::Kernel kernel() const { return model_ ? model_.value().net.kernel() : nn::Kernel::float32; }
    ~LoadedModel();
    LoadedModel(const LoadedModel&) = delete;
    LoadedModel& operator=(const LoadedModel&) = delete;

    const Error* error() const { return model_ ? nullptr : &model_.error(); }
    const std::string& header() const { return header_; }  // the file's JSON header text
    const Model* model() const { return model_ ? &model_.value() : nullptr; }

    // Raw network: x holds `batch` windows (window × features each); ids one per window, or
    // empty. The outputs (batch × outputs) stay valid until the next call.
    Result<const std::vector<float>*> forward(const std::vector<float>& x, const std::vector<int>& ids, int batch);

    // One history, oldest first; volumes empty or one per close.
    Result<Forecast> predict(const std::vector<double>& closes, const std::vector<double>& volumes, int stock_id,
                             double level) const;

    // Many histories in one network call: history i is closes[offsets[i] .. offsets[i+1])
    // (ids.size() + 1 offsets); volumes empty or one per close. One result per history.
    Result<std::vector<Result<Forecast>>> predict_batch(const std::vector<double>& closes, const std::vector<double>& volumes,
                                                        const std::vector<int>& offsets, const std::vector<int>& ids,
                                                        double level) const;

    // How many LoadedModel objects exist: the leak check of the package's registry tests.
    static int live();

private:
    Result<Model> model_;
    std::string header_;
    nn::Workspace workspace_;
    std::vector<float> outputs_;
};

}  // namespace stockcast
