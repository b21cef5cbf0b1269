// Classical models on factor features (model file format version 2, docs/model-format.md):
// linear and logistic regression, tree ensembles (random forest, extra trees, gradient boosting),
// RBF support-vector regression and a dense MLP. Trained with scikit-learn at training time
// (scripts/train_factors.py writes their parameters as JSON), packed into model files by
// `stockcast pack` (pack_factor_model + write_factor_model: the format has one writer) and
// evaluated here, in double precision, in the same order of operations as scikit-learn, so the
// outputs equal its predict / predict_proba (trees exactly; tests/native/test_factor_model.cpp).
//
// Every file carries its feature list with each feature's valid range (the training data's
// range widened by a margin, see kFactorRangeMargin), the target's definition, its input scaler,
// metrics, the SHA-256 every model file has and a test vector re-run at load.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stockcast/error.hpp"
#include "stockcast/json.hpp"

namespace stockcast {

// Caps checked before anything is allocated.
inline constexpr int kMaxFactorFeatures = 64;
inline constexpr int kMaxTrees = 10000;
inline constexpr int kMaxTreeNodes = 1 << 21;
inline constexpr int kMaxSupportVectors = 100000;
inline constexpr int kMaxMlpLayers = 8;
inline constexpr int kMaxMlpUnits = 1024;
inline constexpr int kMaxFactorTestRows = 16;
// The documented margin: a feature's valid range is [min - m·(max - min), max + m·(max - min)]
// of its training rows, m = 0.1 (so a value 10 % of the training span outside what the model
// saw is still accepted; further out the model is extrapolating and says out_of_range).
inline constexpr double kFactorRangeMargin = 0.1;

enum class FactorKind { linear, logistic, random_forest, extra_trees, gradient_boosting, svr, mlp };

// "linear", "logistic", "random_forest", "extra_trees", "gradient_boosting", "svr", "mlp".
const char* factor_kind_name(FactorKind kind);
bool is_tree_kind(FactorKind kind);

enum class Activation { identity, relu, tanh, logistic };

struct DenseLayer {
    int in = 0, out = 0;
    std::vector<double> kernel;  // [in, out], row-major (scikit-learn coefs_[i])
    std::vector<double> bias;    // [out]
    Activation activation = Activation::relu;
};

// All trees of an ensemble in one node array. Tree t's nodes are roots[t] .. roots[t+1]-1
// (the last ends at the node count); left/right are global node indices, -1 in both for a leaf;
// an internal node's children lie after it within its tree (so no cycle is possible), and it
// goes left when float32(x[feature]) <= threshold, as scikit-learn compares.
struct TreeEnsemble {
    std::vector<std::int32_t> roots, feature, left, right;
    std::vector<double> threshold, value;
    // random forest / extra trees: the mean of the trees; gradient boosting: init + learning_rate · sum.
    double learning_rate = 1.0, init = 0.0;
};

struct FactorModel {
    FactorKind kind = FactorKind::linear;
    // Inputs: names (factor_features.hpp) and each one's valid range.
    std::vector<std::string> features;
    std::vector<double> min, max;
    double range_margin = kFactorRangeMargin;
    // StandardScaler: z = (x - mean) / scale. Empty for tree ensembles (no scaling).
    std::vector<double> scaler_mean, scaler_scale;
    // Output: regression value = raw · output_scale + output_offset (a target scaler's inverse);
    // classification (logistic): the probability of classes[1].
    std::string target, target_definition;
    std::vector<std::string> classes;  // empty for regression; two names for logistic
    double output_scale = 1.0, output_offset = 0.0;
    int horizon = 0;  // trading days ahead the target looks (0: not a horizon target)
    // Parameters (the ones of `kind`).
    std::vector<double> coef;
    double intercept = 0.0;  // linear, logistic, svr
    TreeEnsemble trees;
    std::vector<double> support_vectors;  // svr: [n, features]
    std::vector<double> dual_coef;        // svr: [n]
    double gamma = 0.0;
    std::vector<DenseLayer> layers;  // mlp
    // Provenance.
    std::string name, version = "1", trained_at, data_from, data_to;
    Json metrics = Json::object();
    // The loader re-runs x (rows × features) and requires y within tolerance · (1 + |y|).
    std::vector<double> test_x, test_y;
    double test_tolerance = 1e-9;

    int feature_count() const { return static_cast<int>(features.size()); }
    bool is_classifier() const { return kind == FactorKind::logistic; }
};

// The model's output for one row of raw features (no range checks: predict_factors does them).
// Regression: the target value; logistic: the probability of classes[1]. scratch: any vector,
// reused across calls (MLP activations).
double evaluate_factor_model(const FactorModel& model, const double* x, std::vector<double>& scratch);

struct FactorClamp {
    std::string field;
    double value, min, max;
};

struct FactorPrediction {
    double value = 0;                    // regression value, or P(classes[1])
    std::vector<double> probabilities;   // classifiers: one per class
    std::string label;                   // classifiers: the more probable class
    std::vector<FactorClamp> clamped;    // clamp mode: the inputs moved onto their range
};

// Checks one row then evaluates it: wrong length -> invalid_input (field "features"); NaN/∞ ->
// invalid_input (field "features.NAME"); a value outside [min, max] -> out_of_range with field,
// value, min and max, unless `clamp`, which moves it onto the range and lists it in `clamped`.
Result<FactorPrediction> predict_factors(const FactorModel& model, const std::vector<double>& x, bool clamp,
                                         std::vector<double>& scratch);

struct FactorParseOptions {
    bool verify_hash = true;
    bool verify_test_vector = true;
};

// Trusts nothing: version, kind, every count against its cap and the data section before
// allocating, tensor table (bounds, alignment, overlap, dtype, shape), finite values, tree
// structure (node and feature indices in range, children after their parent within their tree:
// bad_structure), at least one support vector / tree / layer, hash, test vector.
Result<FactorModel> parse_factor_model(const std::uint8_t* data, std::size_t size, const FactorParseOptions& options = {});

// Serialises a model (format version 2, tensors f64 / i32). refresh_test_vector: the outputs
// of test_x are recomputed (inputs taken from the range midpoints and ends when test_x is empty).
Result<std::vector<std::uint8_t>> write_factor_model(const FactorModel& model, bool refresh_test_vector = true);

// The JSON scripts/train_factors.py writes (docs/model-format.md, "pack input") as a model;
// the same checks as the file reader (it goes through validate_factor_model).
Result<FactorModel> factor_model_from_json(const Json& doc);

// Structure and value checks shared by the reader and the packer.
Status validate_factor_model(const FactorModel& model);

// What a caller needs to know (kind, target, features with ranges, metrics, sizes) as JSON.
Json factor_model_summary(const FactorModel& model);

}  // namespace stockcast
