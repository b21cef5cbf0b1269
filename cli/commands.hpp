// Subcommands of the `stockcast` tool; each returns the process exit code and prints a
// one-line error (never crashes) on bad arguments or files.
#pragma once

#include <string>

#include "stockcast/error.hpp"
#include "stockcast/model.hpp"
#include "stockcast/train.hpp"

namespace stockcast::cli {

int cmd_inspect(int argc, char** argv);   // stockcast inspect MODEL [--json] [--weights-json]
int cmd_run(int argc, char** argv);       // stockcast run MODEL --input FILE.json
int cmd_predict(int argc, char** argv);   // stockcast predict SYMBOL [...]
int cmd_train(int argc, char** argv);     // stockcast train ... (training, issue 3)
int cmd_backtest(int argc, char** argv);  // stockcast backtest ... (evaluation, issue 3)
int cmd_pack(int argc, char** argv);      // stockcast pack WEIGHTS.json --out MODEL.stkm (factor models)
int cmd_factors(int argc, char** argv);   // stockcast factors MODEL --features … | --symbol SYM
int cmd_factor_rows(int argc, char** argv);  // stockcast factor-rows --symbols … --out ROWS.csv
int cmd_finetune(int argc, char** argv);
int cmd_ensemble_fit(int argc, char** argv);  // stockcast ensemble-fit ... --out FILE.json (issue 15)

// The model kinds of `predict --model` and `backtest --model` (docs/ensemble.md).
inline constexpr const char* kModelKinds[] = {"auto", "lstm", "transformer", "ensemble", "random_forest", "extra_trees",
                                              "gradient_boosting", "svr", "mlp", "naive"};
bool is_model_kind(const std::string& kind);
// predict / backtest for a kind served through the ensemble (cmd_ensemble.cpp).
int predict_kind(const std::string& symbol, const std::string& kind, const std::string& models, const std::string& prices,
                 double level);
int backtest_kind(const std::string& kind, const std::string& manifest_path, const std::string& prices, const std::string& from,
                  const std::string& to, const std::string& out);  // stockcast finetune --base … --prices … --name … --out … (issue 17)

// Reads and parses a model file ("PATH: CODE: message" on failure); `bytes`, when given,
// receives the file (cmd_model.cpp).
Result<Model> load_model_file(const std::string& path, std::string* bytes = nullptr);

// PipelineConfig::external_fit that hands the datasets to `command DIR` (external_fit.cpp).
using ExternalFit = decltype(train::PipelineConfig::external_fit);
ExternalFit command_fit(const std::string& command, const std::string& dir, const train::TrainOptions& options);

}  // namespace stockcast::cli
