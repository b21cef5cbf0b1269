// A model = network + everything needed to turn prices into forecasts (input features,
// output scaling, horizons, conformal residual quantiles) + provenance (metrics, data range).
// Model file format v1 (little-endian):
//   0   8 bytes  magic "STKCAST\0"
//   8   u32      format version (1)
//   12  u32      header length L (bytes of UTF-8 JSON)
//   16  u64      data section length D
//   24  L bytes  JSON header (see docs/model-format.md)
//   ..  zero padding to a multiple of 64
//   ..  D bytes  data section: tensors at 64-aligned offsets given in the header, f32 or f16
//   ..  32 bytes SHA-256 of every byte before it
// Lengths live in the fixed prefix so a truncated file is recognised as such before hashing.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "stockcast/error.hpp"
#include "stockcast/json.hpp"
#include "stockcast/nn.hpp"

namespace stockcast {

inline constexpr char kModelMagic[8] = {'S', 'T', 'K', 'C', 'A', 'S', 'T', '\0'};
// Version 2 adds the classical model kinds (factor_model.hpp) and f64 / i32 tensors; version 1
// files (LSTM networks) read unchanged. The writer writes the lowest version that holds the model:
// LSTM networks as version 1 (so re-packing keeps their bytes and hashes), classical ones as 2.
inline constexpr std::uint32_t kModelFormatVersion = 2;
inline constexpr std::uint32_t kLstmFormatVersion = 1;
// Transformer networks ("transformer_v1", transformer.hpp) are written as version 2: a version-1
// reader could not know them.
inline constexpr std::uint32_t kTransformerFormatVersion = 2;
inline constexpr std::size_t kTensorAlignment = 64;
inline constexpr std::size_t kMaxHeaderBytes = 1 << 20;
inline constexpr std::size_t kMaxModelBytes = 64u << 20;
inline constexpr std::size_t kModelPrefixBytes = 24;
inline constexpr int kMaxTensors = 64;
inline constexpr int kMaxTestWindows = 16;
inline constexpr int kMaxHorizon = 1000;

enum class Dtype { f32, f16 };

// How a price history becomes one network input window.
struct InputSpec {
    // Per time step, in order. Known features (see features.hpp):
    //   "log_close_rel_last"  ln(close_t / close_last): scale-free, so any price level works
    std::vector<std::string> features{"log_close_rel_last"};
    std::vector<float> scale{1.0f};  // each feature is multiplied by its scale
};

// How network outputs become forecasts: log_return[h] = scale[h] * y[h] (scale folds in
// any shrinkage toward "no change" chosen on validation).
struct OutputSpec {
    std::vector<int> horizons{1, 5, 10, 30};  // trading days
    std::vector<float> scale{1.0f, 1.0f, 1.0f, 1.0f};
};

// Split-conformal quantiles of held-out residuals (actual - predicted log return):
// a `levels[k]` interval is [pred + lower[h][k], pred + upper[h][k]].
struct IntervalSpec {
    std::vector<double> levels{0.8, 0.9, 0.95};
    std::vector<std::vector<double>> lower, upper;  // [horizon][level]
};

// An input the loader re-runs: the network must reproduce `y` within `tolerance`.
struct TestVector {
    std::vector<float> x;      // n windows × window × features
    std::vector<int> stock_ids;  // n (general networks)
    std::vector<float> y;      // n × outputs
    float tolerance = 1e-4f;
};

struct ModelMeta {
    std::string name;                 // e.g. "SCOM" or "general"
    std::string kind = "stock_specific";  // or "general", or "transformer" (transformer_v1 networks)
    std::string version = "1";       // model version string
    std::string trained_at;           // ISO date
    std::string data_from, data_to;   // price data range used (training + validation)
    std::vector<std::string> stocks;  // general: embedding row -> symbol
    Json metrics = Json::object();  // held-out metrics, free form
};

// Calibration chosen on validation that forecasts apply on top of OutputSpec / IntervalSpec.
// The v1 trainer stores it under the header's "metrics" (interval_scaling, target_scale,
// stock_shrink, stock_interval_scale); the parser validates it at load, so a malformed value is a
// format error, never a silent fallback.
struct Calibration {
    bool volatility_scaled = false;  // interval quantiles are in units of window volatility × √h
    // General model, per embedding row: r = stock_output_scale[s][h] · y[h] (per-stock shrinkage)
    // and an interval-width multiplier. Empty: OutputSpec.scale and 1 for every stock.
    std::vector<std::vector<double>> stock_output_scale, stock_interval_scale;
};

struct Model {
    ModelMeta meta;
    Calibration calibration;
    InputSpec input;
    OutputSpec output;
    IntervalSpec intervals;
    nn::Network net;
    TestVector test_vector;

    // Index of `symbol` in meta.stocks, or -1.
    int stock_id(const std::string& symbol) const;
};

// Chooses the LSTM arithmetic of `model`'s later forward passes: int16 quantises the weights once
// and re-runs the file's test vector with them; if any output strays past kInt16Tolerance from the
// stored one the float32 kernel stays. Answers the kernel that serves. (LoadedModel::use_kernel,
// the native backtest; defined in loaded_model.cpp.)
inline constexpr float kInt16Tolerance = 1e-3f;
Result<nn::Kernel> use_kernel(Model& model, nn::Kernel kernel, nn::Workspace& ws);

struct ParseOptions {
    bool verify_hash = true;
    bool verify_test_vector = true;
};

// Trusts nothing: sizes, offsets, alignment, overlaps, shapes against the architecture,
// caps before allocation, finite values, hash, test vector. Never crashes on any input.
Result<Model> parse_model(const std::uint8_t* data, std::size_t size, const ParseOptions& options = {});

// Serialises `model`. Weights are rounded to `dtype`; when `refresh_test_vector` is set the
// test vector's outputs are recomputed with the rounded weights (inputs generated if empty).
Result<std::vector<std::uint8_t>> write_model(const Model& model, Dtype dtype, bool refresh_test_vector = true);

// (Re)reads model.calibration from model.meta.metrics and validates it (bad_header on a
// malformed value). parse_model calls it; code that edits metrics in memory calls it after.
Status load_calibration(Model& model);

// What a user needs to know about a loaded model (architecture, meta, input/output specs,
// interval quantiles, metrics) as JSON, for the CLI.
Json model_summary(const Model& model);
// The header's "architecture" object of a network (for_file: as written, with "type" and
// "dropout"; else as model_summary shows it).
Json architecture_json(const nn::Architecture& arch, bool for_file);

// The JSON header of a file, for tools (inspect) and hostile-file tests; and its text, a view
// into `data` after the layout checks (the WASM module hands it to JavaScript).
Result<Json> read_model_header(const std::uint8_t* data, std::size_t size);
Result<std::string_view> model_header_text(const std::uint8_t* data, std::size_t size);
// Re-assembles a file from a header and data section, recomputing the hash. For tests and tools
// that need a structurally valid file with chosen (possibly hostile) header contents.
// version 0: kLstmFormatVersion.
std::vector<std::uint8_t> assemble_model_file(const Json& header, const std::vector<std::uint8_t>& data_section,
                                              std::uint32_t version = 0);

}  // namespace stockcast
