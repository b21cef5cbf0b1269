// `stockcast train --transformer --fit-command CMD --fit-dir DIR`: the pipeline's datasets go to
// DIR as files, CMD DIR fits the network (PyTorch, scripts/train_transformer.py fit), and its
// weights come back into a Network. The exchange, all little-endian float32:
//   DIR/spec.json      {"architecture": {...transformer_v1...}, "train": n, "val": m,
//                       "options": {epochs, patience, batch, lr, clip, huber, dropout, seed, epoch_samples}}
//   DIR/train_x.f32    n × window × features    DIR/train_y.f32  n × outputs (scaled targets)
//   DIR/val_x.f32, DIR/val_y.f32                 the early-stopping windows
//   DIR/weights.json   written by CMD: {"tensors": {name: [values]}, "report": {epochs, best_epoch,
//                       best_val_loss, seconds}}, names and layouts of transformer.hpp
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "commands.hpp"
#include "stockcast/data_files.hpp"
#include "stockcast/model.hpp"

namespace stockcast::cli {

namespace {

bool write_floats(const std::string& path, const std::vector<float>& v) {
    std::ofstream f(path, std::ios::binary);
    f.write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(float)));
    return static_cast<bool>(f);
}

// Single-quoted for the shell.
std::string quoted(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

}  // namespace

ExternalFit command_fit(const std::string& command, const std::string& dir, const train::TrainOptions& options) {
    return [command, dir, options](const nn::Architecture& arch, const train::Dataset& train, const train::Dataset& val,
                                   train::TrainReport& report) -> Result<nn::Network> {
        const Json spec = {
            {"architecture", architecture_json(arch, true)},
            {"train", train.size()},
            {"val", val.size()},
            {"options",
             {{"epochs", options.max_epochs}, {"patience", options.patience}, {"batch", options.batch},
              {"lr", options.learning_rate}, {"clip", options.clip_norm}, {"huber", options.huber_delta},
              {"dropout", options.dropout}, {"seed", options.seed}, {"epoch_samples", options.epoch_samples}}},
        };
        if (!(std::ofstream(dir + "/spec.json") << json_dump(spec, 1)) || !write_floats(dir + "/train_x.f32", train.x) ||
            !write_floats(dir + "/train_y.f32", train.y) || !write_floats(dir + "/val_x.f32", val.x) ||
            !write_floats(dir + "/val_y.f32", val.y))
            return make_error(ErrorCode::invalid_input, {"--fit-dir ", dir, ": cannot write the datasets"});
        std::remove((dir + "/weights.json").c_str());
        const std::string line = command + " " + quoted(dir);
        std::fprintf(stderr, "stockcast train: fitting with: %s\n", line.c_str());
        std::fflush(stderr);
        if (std::system(line.c_str()) != 0)
            return make_error(ErrorCode::invalid_input, {"--fit-command failed: ", line});

        auto text = read_text_file(dir + "/weights.json");
        if (!text) return text.error();
        auto doc = parse_json(text.value());
        if (!doc) return doc.error();
        const Json* tensors = json_find(doc.value(), "tensors");
        if (tensors == nullptr || !tensors->is_object())
            return make_error(ErrorCode::bad_header, "weights.json: expected {\"tensors\": {name: [values]}}");
        nn::Network net = nn::Network::zeros(arch);
        for (auto& t : net.tensors()) {
            const Json* values = json_find(*tensors, t.name);
            std::size_t count = 1;
            for (int d : t.shape) count *= static_cast<std::size_t>(d);
            if (values == nullptr || !values->is_array() || values->size() != count)
                return make_error(ErrorCode::shape_mismatch, {"weights.json: tensor ", t.name, " needs ", count, " values"});
            for (std::size_t i = 0; i < count; ++i) {
                const Json& v = (*values)[i];
                if (!v.is_number() || !std::isfinite(v.get<double>()) || std::fabs(v.get<double>()) > 1e30)
                    return make_error(ErrorCode::non_finite, {"weights.json: tensor ", t.name, "[", i, "] is not a finite number"});
                t.data[i] = v.get<float>();
            }
        }
        if (tensors->size() != net.tensors().size())
            return make_error(ErrorCode::unexpected_tensor, "weights.json: tensors that are not in the architecture");
        if (const Json* r = json_find(doc.value(), "report"); r != nullptr && r->is_object()) {
            auto number = [&](const char* key) {
                const Json* v = json_find(*r, key);
                return v != nullptr && v->is_number() ? v->get<double>() : 0.0;
            };
            report.epochs_run = static_cast<int>(number("epochs"));
            report.best_epoch = static_cast<int>(number("best_epoch"));
            report.best_val_loss = number("best_val_loss");
            report.seconds = number("seconds");
        }
        return net;
    };
}

}  // namespace stockcast::cli
