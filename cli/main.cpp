// stockcast: command-line tool over the core library.
#include <cstdio>
#include <cstring>

#include "commands.hpp"

namespace {
const char* const kUsage =
    "usage: stockcast <command> [options]\n"
    "  inspect MODEL [--json] [--weights-json]   architecture, tensors, metadata\n"
    "  run MODEL --input FILE.json               raw network outputs for input windows\n"
    "  predict SYMBOL [--models DIR] [--prices DIR] [--model KIND]  forecast from the shipped models\n"
    "  train ...                                  train models (stockcast train --help)\n"
    "  finetune ...                               adapt the general model to one series (stockcast finetune --help)\n"
    "  backtest ...                               rolling-origin evaluation (stockcast backtest --help)\n"
    "  ensemble-fit ... --out FILE.json           fit the adaptive ensemble on validation (docs/ensemble.md)\n"
    "  pack WEIGHTS.json --out MODEL.stkm          a factor model file from scikit-learn parameters\n"
    "  factors MODEL --features v1,v2,… | --symbol SYM [--prices DIR] [--clamp] [--json] [--info]\n"
    "                                             one factor-model prediction\n"
    "  factor-rows --symbols A,B --out ROWS.csv [--prices DIR] [--events FILE]\n"
    "                                             factor features and targets for training\n"
    "  --version                                  the version (web/package.json's)\n";
}

int main(int argc, char** argv) {
    if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
        std::fputs(kUsage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char* cmd = argv[1];
    if (!std::strcmp(cmd, "--version")) return std::puts("stockcast " STOCKCAST_VERSION) < 0;
    if (!std::strcmp(cmd, "inspect")) return stockcast::cli::cmd_inspect(argc - 1, argv + 1);
    if (!std::strcmp(cmd, "run")) return stockcast::cli::cmd_run(argc - 1, argv + 1);
    if (!std::strcmp(cmd, "predict")) return stockcast::cli::cmd_predict(argc - 1, argv + 1);
    if (!std::strcmp(cmd, "train")) return stockcast::cli::cmd_train(argc - 1, argv + 1);
    if (!std::strcmp(cmd, "pack")) return stockcast::cli::cmd_pack(argc - 1, argv + 1);
    if (!std::strcmp(cmd, "factors")) return stockcast::cli::cmd_factors(argc - 1, argv + 1);
    if (!std::strcmp(cmd, "factor-rows")) return stockcast::cli::cmd_factor_rows(argc - 1, argv + 1);
    if (!std::strcmp(cmd, "finetune")) return stockcast::cli::cmd_finetune(argc - 1, argv + 1);
    if (!std::strcmp(cmd, "ensemble-fit")) return stockcast::cli::cmd_ensemble_fit(argc - 1, argv + 1);
    if (!std::strcmp(cmd, "backtest")) return stockcast::cli::cmd_backtest(argc - 1, argv + 1);
    std::fprintf(stderr, "stockcast: unknown command '%s'\n%s", cmd, kUsage);
    return 2;
}
