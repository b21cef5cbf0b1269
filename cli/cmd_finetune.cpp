// stockcast finetune: adapt the general model to one series of date,close[,volume] rows (issue 17).
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

const char* const kFineTuneUsage =
    "usage: stockcast finetune --base GENERAL.stkm --prices FILE.csv --name NAME --out NAME.stkm\n"
    "  --prices FILE.csv   header with 'date' and 'close' columns (any order; 'volume' optional),\n"
    "                      ISO dates in ascending order, closes > 0\n"
    "  --name NAME         the model's name (1-32 of A-Z a-z 0-9 _ - .)\n"
    "  --epochs N (60)  --patience N (8)  --batch N (32)  --lr X (0.002)  --dropout X (0.2)\n"
    "  --holdout X (0.2)   fraction of the windows held out (most recent; at least 64)\n"
    "  --seed N (42)  --quiet (no per-epoch lines)  --json (the result as one JSON line)\n";

std::vector<std::string> split_csv_line(const std::string& line) {
    std::vector<std::string> out;
    std::string cell;
    std::stringstream ss(line);
    while (std::getline(ss, cell, ',')) {
        while (!cell.empty() && (cell.back() == '\r' || cell.back() == ' ')) cell.pop_back();
        while (!cell.empty() && cell.front() == ' ') cell.erase(cell.begin());
        out.push_back(cell);
    }
    if (!line.empty() && line.back() == ',') out.emplace_back();
    return out;
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// date,close[,volume] (or the NSE layout: any header naming date and close). Values are parsed
// strictly; the checks on them (finite, > 0, ascending dates) are fine_tune's.
Result<PriceSeries> read_series(const std::string& path) {
    auto text = read_text_file(path);
    if (!text) return text.error();
    std::stringstream ss(text.value());
    std::string line;
    if (!std::getline(ss, line)) return input_error("prices", "empty file");
    const auto head = split_csv_line(line);
    int ci = -1, di = -1, vi = -1;
    for (std::size_t k = 0; k < head.size(); ++k) {
        const std::string h = lower(head[k]);
        if (h == "date") di = static_cast<int>(k);
        if (h == "close") ci = static_cast<int>(k);
        if (h == "volume") vi = static_cast<int>(k);
    }
    if (di < 0 || ci < 0) return input_error("prices", "the header needs 'date' and 'close' columns");
    PriceSeries p;
    p.symbol = "user";
    std::size_t row = 1;
    while (std::getline(ss, line)) {
        ++row;
        if (line.empty() || line == "\r") continue;
        const auto cells = split_csv_line(line);
        if (static_cast<int>(cells.size()) <= std::max(ci, di))
            return input_error("prices", {"line ", row, " has ", cells.size(), " cells"});
        char* end = nullptr;
        const std::string& c = cells[static_cast<std::size_t>(ci)];
        double v = std::strtod(c.c_str(), &end);
        if (c.empty() || *end != '\0') v = std::nan("");  // fine_tune names the row
        p.dates.push_back(cells[static_cast<std::size_t>(di)]);
        p.close.push_back(v);
        p.low.push_back(v);
        p.high.push_back(v);
        double vol = std::nan("");
        if (vi >= 0 && static_cast<std::size_t>(vi) < cells.size() && !cells[static_cast<std::size_t>(vi)].empty())
            vol = std::strtod(cells[static_cast<std::size_t>(vi)].c_str(), nullptr);
        p.volume.push_back(vol);
    }
    return p;
}

bool parse_num(const char* s, double& v) {
    char* end = nullptr;
    v = std::strtod(s, &end);
    return end && *end == '\0' && end != s && std::isfinite(v);
}

}  // namespace

int cmd_finetune(int argc, char** argv) {
    std::string base_path, prices, name, out;
    train::FineTuneOptions o;
    bool quiet = false, json = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--help" || a == "-h") {
            std::fputs(kFineTuneUsage, stdout);
            return 0;
        }
        if (a == "--quiet") {
            quiet = true;
            continue;
        }
        if (a == "--json") {
            json = true;
            continue;
        }
        if (i + 1 >= argc) {
            std::fprintf(stderr, "stockcast finetune: %s needs a value\n%s", a.c_str(), kFineTuneUsage);
            return 2;
        }
        const char* v = argv[++i];
        double d = 0;
        if (a == "--base") base_path = v;
        else if (a == "--prices") prices = v;
        else if (a == "--name") name = v;
        else if (a == "--out") out = v;
        else if (a == "--epochs" && parse_num(v, d) && d >= 0 && d <= 10000) o.max_epochs = static_cast<int>(d);
        else if (a == "--patience" && parse_num(v, d) && d >= 1 && d <= 10000) o.patience = static_cast<int>(d);
        else if (a == "--batch" && parse_num(v, d) && d >= 1 && d <= 65536) o.batch = static_cast<int>(d);
        else if (a == "--lr" && parse_num(v, d) && d > 0) o.learning_rate = d;
        else if (a == "--dropout" && parse_num(v, d) && d >= 0 && d < 1) o.dropout = d;
        else if (a == "--holdout" && parse_num(v, d) && d > 0 && d < 1) o.holdout_fraction = d;
        else if (a == "--seed" && parse_num(v, d) && d >= 0 && d < 9.0e15) o.seed = static_cast<std::uint64_t>(d);
        else {
            std::fprintf(stderr, "stockcast finetune: bad option or value: %s %s\n%s", a.c_str(), v, kFineTuneUsage);
            return 2;
        }
    }
    if (base_path.empty() || prices.empty() || name.empty() || out.empty()) {
        std::fprintf(stderr, "stockcast finetune: need --base, --prices, --name and --out\n%s", kFineTuneUsage);
        return 2;
    }
    auto base = load_model_file(base_path);
    if (!base) {
        std::fprintf(stderr, "stockcast finetune: %s\n", base.error().message.c_str());
        return 1;
    }
    auto series = read_series(prices);
    if (!series) {
        std::fprintf(stderr, "stockcast finetune: %s: %s\n", prices.c_str(), series.error().message.c_str());
        return 1;
    }
    auto progress = [&](const train::EpochProgress& p) {
        if (!quiet)
            std::fprintf(stderr, "  epoch %3d  train %.5f  val %.5f%s\n", p.epoch, p.train_loss, p.val_loss,
                         p.best ? " *" : "");
    };
    auto res = train::fine_tune(base.value(), series.value(), name, o, progress);
    if (!res) {
        const Error& e = res.error();
        std::fprintf(stderr, "stockcast finetune: %s: %s\n", code_name(e.code), e.message.c_str());
        return 1;
    }
    const auto& r = res.value();
    std::ofstream f(out, std::ios::binary);
    f.write(reinterpret_cast<const char*>(r.bytes.data()), static_cast<std::streamsize>(r.bytes.size()));
    if (!f) {
        std::fprintf(stderr, "stockcast finetune: cannot write %s\n", out.c_str());
        return 1;
    }
    if (json) {
        Json j = {{"out", out}, {"bytes", r.bytes.size()}, {"train_windows", r.train_windows},
                  {"holdout_windows", r.holdout_windows}, {"holdout_from", r.holdout_from},
                  {"epochs", r.report.epochs_run}, {"best_epoch", r.report.best_epoch},
                  {"val_mape", r.val_mape}, {"val_naive_mape", r.val_naive_mape}, {"coverage90", r.coverage90},
                  {"seconds", r.report.seconds}};
        std::printf("%s\n", json_dump(j).c_str());
    } else {
        std::printf("%s: %zu bytes, windows train %zu / held out %zu (from %s), epochs %d (best %d), %.2f s\n"
                    "  held out, mean over horizons: MAPE %.3f %% (naive %.3f %%), 90%% band coverage %.1f %%\n",
                    out.c_str(), r.bytes.size(), r.train_windows, r.holdout_windows, r.holdout_from.c_str(),
                    r.report.epochs_run, r.report.best_epoch, r.report.seconds, r.val_mape, r.val_naive_mape,
                    100 * r.coverage90);
    }
    return 0;
}

}  // namespace stockcast::cli
