// stockcast train: one model (stock-specific or general) from price files.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "stockcast/data_files.hpp"
#include "stockcast/model.hpp"
#include "stockcast/train.hpp"

namespace stockcast::cli {

namespace {

const char* const kTrainUsage =
    "usage: stockcast train --data DIR (--symbol SYM | --general [--symbols A,B,...]) --out FILE.stkm\n"
    "       stockcast train --data DIR --transformer --fit-command CMD --fit-dir DIR2 [--symbols ...] --out FILE.stkm\n"
    "  --data DIR              folder with prices/<SYM>.csv, events.csv, symbols.csv (models/data/nse)\n"
    "  --symbol SYM            stock-specific model for SYM\n"
    "  --general               general model with a stock embedding (default: every symbol in symbols.csv)\n"
    "  --symbols A,B,...       the general model's stocks (embedding rows, in this order)\n"
    "  --out FILE              model file to write\n"
    "  --dtype f16|f32         weight precision of --out (default f16)\n"
    "  --out-f32 FILE          also write a float32 copy (for the f16-vs-f32 check)\n"
    "  --val-from DATE         first validation origin; training targets end before it (2018-07-01)\n"
    "  --test-from DATE        validation targets end before it; nothing from here on is used (2020-07-01)\n"
    "  --features a,b          input features (log_close_rel_last)\n"
    "  --init GENERAL.stkm     fine-tune a stock-specific model starting from the general model\n"
    "  --units U1,U2           LSTM units (50,40)   --dense D (25)   --embedding-dim E (10)\n"
    "  --epochs N (40)  --patience N (6)  --batch N (128)  --lr X (0.001)  --clip X (1.0)\n"
    "  --huber X (1.0; 0 = MSE)  --dropout X (0.2)  --seed N (42)\n"
    "  --epoch-samples N       windows drawn per epoch (0 = all)\n"
    "  --max-train-windows N   seeded random subset of the training windows (0 = all)\n"
    "  --trained-at DATE       date written into the model (default: today, UTC)\n"
    "  --max-bytes N           fail if the written file is larger (65536; 0 = no limit)\n"
    "  --quiet                 no per-epoch lines\n"
    "  --window N              input window (60)\n"
    "  --transformer           a pooled transformer_v1 (no embedding; default: every symbol in symbols.csv),\n"
    "                          fitted by CMD DIR2 (scripts/train_transformer.py, see cli/external_fit.cpp)\n"
    "  --d-model N (64)  --heads N (4)  --encoder-layers N (2)  --ff-units N (64)\n";

std::vector<std::string> split_list(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, ','))
        if (!item.empty()) out.push_back(item);
    return out;
}

bool parse_int(const char* s, long long lo, long long hi, long long& v) {
    char* end = nullptr;
    v = std::strtoll(s, &end, 10);
    return end && *end == '\0' && end != s && v >= lo && v <= hi;
}
bool parse_double(const char* s, double& v) {
    char* end = nullptr;
    v = std::strtod(s, &end);
    return end && *end == '\0' && end != s;
}

bool write_file(const std::string& path, const std::vector<std::uint8_t>& bytes) {
    std::ofstream f(path, std::ios::binary);
    f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return static_cast<bool>(f);
}

}  // namespace

int cmd_train(int argc, char** argv) {
    train::PipelineConfig cfg;
    cfg.lstm_units = {50, 40};
    cfg.options.verbose = true;
    std::string init_path, out, out_f32, symbol, symbols, dtype = "f16", fit_command, fit_dir;
    // transformer_v1 defaults: a float16 file of these stays under the 128 KB (docs/training.md)
    cfg.transformer_arch.type = nn::ArchType::transformer;
    cfg.transformer_arch.lstm_units.clear();
    cfg.transformer_arch.dense_units = 0;
    cfg.transformer_arch.d_model = 64;
    cfg.transformer_arch.heads = 4;
    cfg.transformer_arch.encoder_layers = 2;
    cfg.transformer_arch.ff_units = 64;
    long long max_bytes = 65536;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&](const char* what) -> const char* {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "stockcast train: %s needs a value\n", what);
                return nullptr;
            }
            return argv[++i];
        };
        long long iv = 0;
        double dv = 0;
        const char* v = nullptr;
        if (a == "--help" || a == "-h") {
            std::fputs(kTrainUsage, stdout);
            return 0;
        } else if (a == "--general") {
            cfg.general = true;
        } else if (a == "--quiet") {
            cfg.options.verbose = false;
        } else if (a == "--transformer") {
            cfg.transformer = true;
        } else if (!(v = next(a.c_str()))) {
            return 2;
        } else if (a == "--data") {
            cfg.data_dir = v;
        } else if (a == "--fit-command") {
            fit_command = v;
        } else if (a == "--fit-dir") {
            fit_dir = v;
        } else if (a == "--window" && parse_int(v, 1, nn::kMaxWindow, iv)) {
            cfg.window = static_cast<int>(iv);
        } else if (a == "--d-model" && parse_int(v, 1, nn::kMaxModelDim, iv)) {
            cfg.transformer_arch.d_model = static_cast<int>(iv);
        } else if (a == "--heads" && parse_int(v, 1, nn::kMaxHeads, iv)) {
            cfg.transformer_arch.heads = static_cast<int>(iv);
        } else if (a == "--encoder-layers" && parse_int(v, 1, nn::kMaxEncoderLayers, iv)) {
            cfg.transformer_arch.encoder_layers = static_cast<int>(iv);
        } else if (a == "--ff-units" && parse_int(v, 1, nn::kMaxFeedForward, iv)) {
            cfg.transformer_arch.ff_units = static_cast<int>(iv);
        } else if (a == "--symbol") {
            symbol = v;
        } else if (a == "--symbols") {
            symbols = v;
        } else if (a == "--out") {
            out = v;
        } else if (a == "--init") {
            init_path = v;
        } else if (a == "--out-f32") {
            out_f32 = v;
        } else if (a == "--dtype" && (std::strcmp(v, "f16") == 0 || std::strcmp(v, "f32") == 0)) {
            dtype = v;
        } else if (a == "--val-from" && is_iso_date(v)) {
            cfg.val_from = v;
        } else if (a == "--test-from" && is_iso_date(v)) {
            cfg.test_from = v;
        } else if (a == "--trained-at" && is_iso_date(v)) {
            cfg.trained_at = v;
        } else if (a == "--features") {
            cfg.features = split_list(v);
        } else if (a == "--units") {
            cfg.lstm_units.clear();
            for (const auto& u : split_list(v)) {
                if (!parse_int(u.c_str(), 1, nn::kMaxUnits, iv)) {
                    std::fprintf(stderr, "stockcast train: bad --units '%s'\n", v);
                    return 2;
                }
                cfg.lstm_units.push_back(static_cast<int>(iv));
            }
        } else if (a == "--dense" && parse_int(v, 1, nn::kMaxUnits, iv)) {
            cfg.dense_units = static_cast<int>(iv);
        } else if (a == "--embedding-dim" && parse_int(v, 1, nn::kMaxEmbeddingDim, iv)) {
            cfg.embedding_dim = static_cast<int>(iv);
        } else if (a == "--epochs" && parse_int(v, 0, 10000, iv)) {
            cfg.options.max_epochs = static_cast<int>(iv);
        } else if (a == "--patience" && parse_int(v, 1, 10000, iv)) {
            cfg.options.patience = static_cast<int>(iv);
        } else if (a == "--batch" && parse_int(v, 1, 65536, iv)) {
            cfg.options.batch = static_cast<int>(iv);
        } else if (a == "--seed" && parse_int(v, 0, (1LL << 62), iv)) {
            cfg.options.seed = static_cast<std::uint64_t>(iv);
        } else if (a == "--epoch-samples" && parse_int(v, 0, 1LL << 40, iv)) {
            cfg.options.epoch_samples = static_cast<std::size_t>(iv);
        } else if (a == "--max-train-windows" && parse_int(v, 0, 1LL << 40, iv)) {
            cfg.max_train_windows = static_cast<std::size_t>(iv);
        } else if (a == "--max-bytes" && parse_int(v, 0, 1LL << 40, iv)) {
            max_bytes = iv;
        } else if (a == "--lr" && parse_double(v, dv) && dv > 0) {
            cfg.options.learning_rate = dv;
        } else if (a == "--clip" && parse_double(v, dv)) {
            cfg.options.clip_norm = dv;
        } else if (a == "--huber" && parse_double(v, dv)) {
            cfg.options.huber_delta = dv;
        } else if (a == "--dropout" && parse_double(v, dv) && dv >= 0 && dv < 1) {
            cfg.options.dropout = dv;
        } else {
            std::fprintf(stderr, "stockcast train: bad option or value: %s %s\n%s", a.c_str(), v, kTrainUsage);
            return 2;
        }
    }
    if (cfg.data_dir.empty() || out.empty() || (cfg.transformer ? (cfg.general || !symbol.empty()) : symbol.empty() == !cfg.general)) {
        std::fprintf(stderr, "stockcast train: need --data, --out and exactly one of --symbol / --general / --transformer\n%s",
                     kTrainUsage);
        return 2;
    }
    if (cfg.transformer) {
        if (fit_command.empty() || fit_dir.empty()) {
            std::fprintf(stderr, "stockcast train: --transformer needs --fit-command and --fit-dir\n");
            return 2;
        }
        cfg.external_fit = command_fit(fit_command, fit_dir, cfg.options);
    }
    if (cfg.general || cfg.transformer) {
        if (!symbols.empty()) {
            cfg.symbols = split_list(symbols);
        } else {
            auto cat = load_symbols_csv(cfg.data_dir + "/symbols.csv");
            if (!cat) {
                std::fprintf(stderr, "stockcast train: %s\n", cat.error().message.c_str());
                return 1;
            }
            for (const auto& s : cat.value()) cfg.symbols.push_back(s.symbol);
        }
    } else {
        cfg.symbols = {symbol};
    }
    Model init_model;
    if (!init_path.empty()) {
        auto text = read_text_file(init_path);
        if (!text) {
            std::fprintf(stderr, "stockcast train: %s\n", text.error().message.c_str());
            return 1;
        }
        auto pm = parse_model(reinterpret_cast<const std::uint8_t*>(text.value().data()), text.value().size());
        if (!pm) {
            std::fprintf(stderr, "stockcast train: %s: %s\n", init_path.c_str(), pm.error().message.c_str());
            return 1;
        }
        init_model = std::move(pm.value());
        cfg.init_from = &init_model;
        cfg.lstm_units = init_model.net.arch.lstm_units;
        cfg.dense_units = init_model.net.arch.dense_units;
    }
    std::fprintf(stderr, "stockcast train: %s model, %zu stock(s)\n",
                 cfg.transformer ? "transformer" : cfg.general ? "general" : symbol.c_str(),
                 cfg.symbols.size());
    auto res = train::train_model(cfg);
    if (!res) {
        std::fprintf(stderr, "stockcast train: %s: %s\n", code_name(res.error().code), res.error().message.c_str());
        return 1;
    }
    Model& m = res.value().model;
    // test vector: one deterministic window in the real input scale (keeps the header small)
    m.test_vector.x.assign(static_cast<std::size_t>(m.net.arch.window) * m.net.arch.features, 0.0f);
    for (int t = 0; t < m.net.arch.window; ++t)
        for (int f = 0; f < m.net.arch.features; ++f)
            m.test_vector.x[static_cast<std::size_t>(t) * m.net.arch.features + f] =
                static_cast<float>(0.5 * std::sin(0.37 * t + f) * (m.net.arch.window - t) / m.net.arch.window);
    m.test_vector.stock_ids.clear();
    if (m.net.arch.has_embedding()) m.test_vector.stock_ids = {0};
    auto bytes = write_model(m, dtype == "f16" ? Dtype::f16 : Dtype::f32);
    if (!bytes) {
        std::fprintf(stderr, "stockcast train: write: %s\n", bytes.error().message.c_str());
        return 1;
    }
    if (max_bytes > 0 && static_cast<long long>(bytes.value().size()) > max_bytes) {
        std::fprintf(stderr, "stockcast train: model is %zu bytes, over --max-bytes %lld\n", bytes.value().size(),
                     max_bytes);
        return 1;
    }
    if (!write_file(out, bytes.value())) {
        std::fprintf(stderr, "stockcast train: cannot write %s\n", out.c_str());
        return 1;
    }
    if (!out_f32.empty()) {
        auto b32 = write_model(m, Dtype::f32);
        if (!b32 || !write_file(out_f32, b32.value())) {
            std::fprintf(stderr, "stockcast train: cannot write %s\n", out_f32.c_str());
            return 1;
        }
    }
    const auto& r = res.value();
    std::printf("%s: %zu bytes, windows train %zu / validation %zu (excluded by events %zu), epochs %d (best %d), "
                "%.1f s\n",
                out.c_str(), bytes.value().size(), r.train_windows, r.val_windows, r.excluded_event_windows,
                r.report.epochs_run, r.report.best_epoch, r.report.seconds);
    const Json* validation = json_find(m.meta.metrics, "validation");
    std::printf("  validation: %s\n", json_dump(validation ? *validation : Json()).c_str());
    return 0;
}

}  // namespace stockcast::cli
