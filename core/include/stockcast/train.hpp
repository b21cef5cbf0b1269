// Training of the networks of nn.hpp (issue 3): backpropagation through time for the stacked
// LSTMs, the dense head and the stock embedding; Adam with global-norm gradient clipping;
// inverted dropout after the last LSTM and after Dense1 (training only); early stopping on a
// validation set with the best weights restored. Mini-batches run as Eigen matrix products
// (gates [4u x B]); the maths is templated on the scalar: float for training, double for the
// gradient checks. A fixed seed makes a run reproducible (single thread, same build).
//
// The end-to-end pipeline (train_model) turns price files into a finished Model: date splits,
// event exclusion, feature / target scaling, fitting, shrinkage toward "no change" and
// split-conformal intervals, all chosen on the validation split only. See docs/training.md.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "stockcast/data.hpp"
#include "stockcast/error.hpp"
#include "stockcast/model.hpp"
#include "stockcast/nn.hpp"

namespace stockcast::train {

// Windows ready for the network: x is n x window x features (time-major within a window),
// y is n x outputs (scaled targets), stock is n embedding rows (general networks; else empty).
struct Dataset {
    int window = 0, features = 0, outputs = 0;
    std::vector<float> x;
    std::vector<float> y;
    std::vector<int> stock;
    std::size_t size() const { return outputs > 0 ? y.size() / static_cast<std::size_t>(outputs) : 0; }
};

struct TrainOptions {
    int max_epochs = 40;
    int patience = 6;            // epochs without validation improvement before stopping
    int batch = 128;
    double learning_rate = 1e-3;
    double clip_norm = 1.0;      // global gradient norm; <= 0 disables
    double huber_delta = 1.0;    // loss on scaled targets; <= 0: mean squared error (0.5 e^2)
    double dropout = 0.2;        // after the last LSTM and after Dense1; training only
    std::uint64_t seed = 42;
    std::size_t epoch_samples = 0;  // windows drawn per epoch (0: all training windows)
    bool verbose = false;        // one line per epoch on stderr
};

struct TrainReport {
    int epochs_run = 0;
    int best_epoch = 0;          // 0 = the initial weights were never beaten
    double best_val_loss = 0;
    std::vector<double> train_loss, val_loss;
    double seconds = 0;
};

// Keras-like initialisation: glorot-uniform kernels, orthogonal recurrent kernels, zero biases
// with forget-gate bias 1, uniform(-0.05, 0.05) embeddings.
nn::Network init_network(const nn::Architecture& arch, std::uint64_t seed);

// Trains `net` in place (it may come from init_network or a previous model). Restores the
// weights with the lowest validation loss (evaluated also before the first epoch).
Result<TrainReport> fit(nn::Network& net, const Dataset& train, const Dataset& val, const TrainOptions& options);

// Network outputs (n x outputs, float) with the training code's own forward pass (no dropout);
// for a transformer network, the inference forward pass (nn::Network::forward).
Result<std::vector<float>> predict(const nn::Network& net, const Dataset& data);

// Mean loss (no dropout) of `net` on `data`, as minimised by fit.
Result<double> evaluate_loss(const nn::Network& net, const Dataset& data, double huber_delta);

// Finite-difference check of the analytic gradient, in double, without dropout: for every tensor
// (Keras names of Network::tensors) the largest relative error
//   |analytic - numeric| / max(|analytic| + |numeric|, floor)
// over `per_tensor` entries drawn at random (all when 0), plus "all" for the whole network.
struct GradCheckEntry {
    std::string tensor;
    double max_rel_error = 0;
    double max_abs_error = 0;    // |analytic - numeric|
    double max_abs_gradient = 0; // largest |analytic| seen
    int checked = 0;
};
Result<std::vector<GradCheckEntry>> gradient_check(const nn::Network& net, const Dataset& data, double huber_delta,
                                                   int per_tensor = 0, double eps = 1e-6, std::uint64_t seed = 1);

// ------------------------------------------------------------------ end-to-end pipeline

struct PipelineConfig {
    std::string data_dir;                 // holds prices/<SYM>.csv, events.csv (symbols.csv optional)
    std::vector<std::string> symbols;     // one: stock-specific model; several: general model
    bool general = false;                 // general network with Embedding(embedding_dim)
    int embedding_dim = 10;
    std::vector<std::string> features{"log_close_rel_last"};
    int window = 60;
    std::vector<int> lstm_units{50, 50};
    int dense_units = 25;
    std::vector<int> horizons{1, 5, 10, 30};
    std::string val_from = "2018-07-01";  // training: every target date < val_from
    std::string test_from = "2020-07-01"; // validation: origin >= val_from, every target < test_from
    std::size_t max_train_windows = 0;    // 0: all; else a seeded random subset
    std::size_t max_stop_windows = 10000; // early stopping evaluates a seeded random subset of the
                                          // validation windows this large (0: all); shrinkage and
                                          // conformal calibration always use every validation window
    std::string trained_at;               // ISO date written into the model (default: today, UTC)
    TrainOptions options;
    // Stock-specific fine-tuning: start from a general model (same features, window, LSTM and
    // dense sizes). Its LSTMs and Dense2 are copied, Dense1 keeps the LSTM rows and folds the
    // stock's embedding row into its bias, and the general model's input and target scales are
    // reused, so the starting network reproduces the general model's forecast for this stock
    // (before shrinkage); early stopping then never ends worse than that on validation.
    const Model* init_from = nullptr;
    // A Transformer (transformer_v1, no embedding, pooled over `symbols`, meta.kind "transformer"):
    // its d_model, heads, encoder_layers, ff_units (window, features, outputs come from the fields
    // above). It is fitted by `external_fit` (PyTorch at training time, scripts/train_transformer.py)
    // in place of fit(); everything else -- splits, event exclusion, scaling, shrinkage, conformal
    // intervals -- is this pipeline's, over the core's own forward pass of the returned network.
    bool transformer = false;
    nn::Architecture transformer_arch;
    // It fills `report` (epochs, best epoch, best validation loss) as far as it knows them.
    std::function<Result<nn::Network>(const nn::Architecture& arch, const Dataset& train, const Dataset& val,
                                      TrainReport& report)>
        external_fit;
};

// The stock-specific network equal to general model `g` for embedding row `id` (see init_from).
Result<nn::Network> specialise_general(const Model& g, int id);

struct PipelineResult {
    Model model;                          // ready for write_model
    TrainReport report;
    std::size_t train_windows = 0, val_windows = 0, excluded_event_windows = 0;
};

// Never touches data on or after test_from (neither inputs of fitted windows nor targets).
Result<PipelineResult> train_model(const PipelineConfig& config);

// Split-conformal interval bounds from residuals (actual - predicted): for each level L the
// (1-L)/2 and (1+L)/2 empirical quantiles with the finite-sample correction ceil((n+1)q)/n.
std::pair<std::vector<double>, std::vector<double>> conformal_bounds(std::vector<double> residuals,
                                                                     const std::vector<double>& levels);

// Shrinkage toward "no change" and split-conformal intervals for ONE series, chosen on its
// held-out windows (the pipeline's rule for a stock-specific model): per horizon h, the
// multiplier alpha in {0, 0.05, ..., 0.95, 1} with the lowest MAPE of exp(alpha * ts_h * y) against
// the actual return, then conformal bounds of the residuals normalised by window volatility *
// sqrt(h). y: n x H network outputs (scaled), actual: n x H log returns, vol: n window
// volatilities. Fills out.scale, iv.lower / iv.upper and metrics_per_horizon ("1d": {...}).
struct SeriesCalibration {
    OutputSpec output;
    IntervalSpec intervals;
    Json validation = Json::object();        // per horizon: val_mape, val_mape_unshrunk, val_naive_mape, shrink,
                                             // coverage90_crossfit
    double mean_val_mape = 0, mean_naive_mape = 0, mean_coverage90 = 0;
};
SeriesCalibration calibrate_series(const std::vector<int>& horizons, const std::vector<double>& target_scale,
                                   const std::vector<float>& y, const std::vector<double>& actual,
                                   const std::vector<double>& vol);

// ------------------------------------------------------------------ fine-tuning (issue 17)
// Adapts a general model to one series it was never trained on, in memory (no files: the same
// code runs in the WebAssembly trainer). The general network is specialised to a NEW stock:
// its embedding row starts at the mean of the general rows; the LSTMs are frozen (their last
// hidden state is computed once per window), and the new embedding row, Dense1 and Dense2 are
// trained with Adam + clipping + dropout on the older windows, with early stopping on the most
// recent ones (held out; a gap of max-horizon rows keeps every training target before the first
// held-out origin). The held-out windows then choose the shrinkage and the conformal intervals
// (calibrate_series). The result is a stock-specific model file (the embedding row folded into
// Dense1's bias), f16 like the shipped ones. Same inputs and seed -> same bytes.
struct FineTuneOptions {
    int max_epochs = 60;
    int patience = 8;
    int batch = 32;
    double learning_rate = 2e-3;
    double clip_norm = 1.0;
    double huber_delta = 1.0;
    double dropout = 0.2;          // on the LSTM output and after Dense1; training only
    double holdout_fraction = 0.2; // of the usable windows, most recent, at least kFineTuneMinHoldout
    std::uint64_t seed = 42;
};

// Minimum windows on each side of the split: 64 held-out windows put the 90 % conformal bounds
// at the 4th smallest / 4th largest residual of 64 (ceil(65 * 0.95) = 62) instead of at the extremes.
inline constexpr int kFineTuneMinTrain = 64;
inline constexpr int kFineTuneMinHoldout = 64;

// Rows a series needs: the rows of one input window, max-horizon rows for the training targets,
// a max-horizon gap before the held-out windows, and kFineTuneMinTrain + kFineTuneMinHoldout
// further origins (for the shipped general model, 59 + 30 + 30 + 64 + 64 = 247 closes).
std::size_t fine_tune_required_rows(const Model& base);

struct EpochProgress {
    int epoch = 0, max_epochs = 0;
    double train_loss = 0, val_loss = 0;  // mean Huber loss on scaled targets
    bool best = false;                    // the best validation loss so far
};

struct FineTuneResult {
    Model model;
    std::vector<std::uint8_t> bytes;      // write_model(model, f16), parsed back and verified
    TrainReport report;
    std::size_t train_windows = 0, holdout_windows = 0;
    std::string holdout_from;             // date of the first held-out origin
    double val_mape = 0, val_naive_mape = 0, coverage90 = 0;  // means over horizons
};

// Step-wise fine-tuning, so a caller can yield between epochs (a browser page or worker stays
// responsive, and an AbortSignal is seen between epochs): start() checks everything and computes
// the frozen LSTM outputs, each epoch() runs one epoch, finish() calibrates and writes the model.
// fine_tune below is this loop. A session is single-use.
class FineTuneSession {
public:
    FineTuneSession();
    ~FineTuneSession();
    FineTuneSession(const FineTuneSession&) = delete;
    FineTuneSession& operator=(const FineTuneSession&) = delete;
    Status start(const Model& base, const PriceSeries& series, const std::string& name, const FineTuneOptions& options);
    bool done() const;                    // max epochs reached or early stopping (or not started)
    Result<EpochProgress> epoch();        // diverged; invalid_input when done() or not started
    Result<FineTuneResult> finish();      // restores the best weights, calibrates, writes the file
    std::size_t train_windows() const;
    std::size_t holdout_windows() const;
    double initial_val_loss() const;

private:
    struct State;
    State* s_;
};

// Errors: invalid_input (name, base model, NaN / non-positive closes with field "history.close"
// and the row, unsorted or duplicate dates with field "history.dates"), insufficient_history
// (required / provided closes), cancelled (cancel() returned true; checked before every epoch),
// diverged (a non-finite loss, or a validation loss 1000x the starting one).
Result<FineTuneResult> fine_tune(const Model& base, const PriceSeries& series, const std::string& name,
                                 const FineTuneOptions& options,
                                 const std::function<void(const EpochProgress&)>& on_epoch = {},
                                 const std::function<bool()>& cancel = {});

}  // namespace stockcast::train
