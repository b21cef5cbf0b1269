// inspect and run: the two commands that read one model file.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"
#include "stockcast/data_files.hpp"
#include "stockcast/json.hpp"
#include "stockcast/model.hpp"

namespace stockcast::cli {
namespace {

int fail(const char* cmd, const std::string& message) {
    std::fprintf(stderr, "stockcast %s: %s\n", cmd, message.c_str());
    return 1;
}


}  // namespace

Result<Model> load_model_file(const std::string& path, std::string* bytes_out) {
    auto text = read_text_file(path);
    if (!text) return text.error();
    const std::string& bytes = text.value();
    if (bytes_out != nullptr) *bytes_out = bytes;
    auto model = parse_model(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    if (!model) return make_error(model.error().code, path + ": " + code_name(model.error().code) + ": " + model.error().message);
    return model;
}

int cmd_inspect(int argc, char** argv) {
    std::string path;
    bool as_json = false, weights = false;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--json")) as_json = true;
        else if (!std::strcmp(argv[i], "--weights-json")) weights = true;
        else if (argv[i][0] == '-') return fail("inspect", std::string("unknown option '") + argv[i] + "'");
        else if (path.empty()) path = argv[i];
        else return fail("inspect", "expected one MODEL argument");
    }
    if (path.empty()) return fail("inspect", "usage: stockcast inspect MODEL [--json] [--weights-json]");
    std::string bytes;
    auto loaded = load_model_file(path, &bytes);
    if (!loaded) return fail("inspect", loaded.error().message);
    Model& model = loaded.value();
    const nn::Architecture& a = model.net.arch;

    if (weights) {
        Json out = Json::object();
        for (auto& t : model.net.tensors()) {
            std::size_t n = 1;
            for (int d : t.shape) n *= static_cast<std::size_t>(d);
            out[t.name] = {{"shape", t.shape}, {"values", std::vector<float>(t.data, t.data + n)}};
        }
        std::cout << json_dump(out) << "\n";
        return 0;
    }
    auto header = read_model_header(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    if (as_json) {
        Json h = header.value();  // an object: parse_model accepted the same header
        h.erase("test_vector");
        h["file_bytes"] = bytes.size();
        std::cout << json_dump(h, 2) << "\n";
        return 0;
    }
    std::printf("model        %s (%s, version %s)\n", model.meta.name.c_str(), model.meta.kind.c_str(), model.meta.version.c_str());
    std::printf("file         %zu bytes\n", bytes.size());
    std::printf("trained      %s on data %s .. %s\n", model.meta.trained_at.c_str(), model.meta.data_from.c_str(),
                model.meta.data_to.c_str());
    std::printf("input        window %d × %d features:", a.window, a.features);
    for (auto& f : model.input.features) std::printf(" %s", f.c_str());
    std::printf("\nnetwork     ");
    if (a.is_transformer()) {
        std::printf(" Dense(%d) + positional encoding → %d × EncoderLayer(d %d, %d heads, ff %d) → mean over time → Dense(%d)\n",
                    a.d_model, a.encoder_layers, a.d_model, a.heads, a.ff_units, a.outputs);
    } else {
        for (int u : a.lstm_units) std::printf(" LSTM(%d) →", u);
        if (a.has_embedding()) std::printf(" ⊕ Embedding(%d×%d) →", a.embedding_count, a.embedding_dim);
        std::printf(" Dense(%d, relu) → Dense(%d)\n", a.dense_units, a.outputs);
    }
    std::printf("horizons    ");
    for (int h : model.output.horizons) std::printf(" %dd", h);
    std::printf("\ntensors\n");
    // parse_model checked every field printed here.
    for (const Json& t : *json_find(header.value(), "tensors")) {
        std::printf("  %-24s %-12s %s @ %lld\n", t["name"].get_ref<const std::string&>().c_str(), json_dump(t["shape"]).c_str(),
                    t["dtype"].get_ref<const std::string&>().c_str(), json_int(t["offset"]).value_or(-1));
    }
    if (!model.meta.metrics.empty()) std::printf("metrics      %s\n", json_dump(model.meta.metrics).c_str());
    return 0;
}

int cmd_run(int argc, char** argv) {
    std::string path, input;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--input")) {
            if (i + 1 >= argc) return fail("run", "--input needs a file");
            input = argv[++i];
        } else if (argv[i][0] == '-') {
            return fail("run", std::string("unknown option '") + argv[i] + "'");
        } else if (path.empty()) {
            path = argv[i];
        } else {
            return fail("run", "expected one MODEL argument");
        }
    }
    if (path.empty() || input.empty()) return fail("run", "usage: stockcast run MODEL --input FILE.json");
    auto loaded = load_model_file(path);
    if (!loaded) return fail("run", loaded.error().message);
    const Model& model = loaded.value();
    const nn::Architecture& a = model.net.arch;
    auto text = read_text_file(input);
    if (!text) return fail("run", text.error().message);
    auto parsed = parse_json(text.value());
    if (!parsed) return fail("run", input + ": " + parsed.error().message);
    const Json& doc = parsed.value();
    const Json* xs = json_find(doc, "x");
    if (xs == nullptr || !xs->is_array() || xs->empty())
        return fail("run", input + ": expected {\"x\": [[...window values...], ...], \"stock_ids\": [...]}");
    const std::size_t per_window = static_cast<std::size_t>(a.window) * a.features;
    const std::size_t n = xs->size();
    if (n > static_cast<std::size_t>(nn::kMaxBatch)) return fail("run", input + ": too many windows");
    std::vector<float> x;
    x.reserve(n * per_window);
    for (std::size_t w = 0; w < n; ++w) {
        const Json& row = (*xs)[w];
        if (!row.is_array() || row.size() != per_window)
            return fail("run", input + ": x[" + std::to_string(w) + "] must hold " + std::to_string(per_window) + " numbers");
        for (const Json& v : row) {
            // Within the float range: converting a larger double is undefined behaviour.
            if (!v.is_number() || !(std::fabs(v.get<double>()) <= std::numeric_limits<float>::max()))
                return fail("run", input + ": x[" + std::to_string(w) + "] holds a non-number or one beyond the float range");
            x.push_back(v.get<float>());
        }
    }
    std::vector<int> ids;
    if (a.has_embedding()) {
        const Json* s = json_find(doc, "stock_ids");
        if (s == nullptr || !s->is_array() || s->size() != n)
            return fail("run", input + ": the general model needs \"stock_ids\" with one id per window");
        for (const Json& v : *s) {
            const std::optional<long long> id = json_int(v);
            if (!id || *id < -1 || *id > std::numeric_limits<int>::max()) return fail("run", input + ": stock_ids must be integers >= -1");
            ids.push_back(static_cast<int>(*id));
        }
    }
    std::vector<float> y(n * a.outputs);
    nn::Workspace ws;
    Status st = model.net.forward(x.data(), ids.empty() ? nullptr : ids.data(), static_cast<int>(n), y.data(), ws);
    if (!st) return fail("run", std::string(code_name(st.error().code)) + ": " + st.error().message);
    Json out = Json::array();
    for (std::size_t w = 0; w < n; ++w) {
        Json row = Json::array();
        for (int o = 0; o < a.outputs; ++o) row.push_back(static_cast<double>(y[w * a.outputs + o]));
        out.push_back(row);
    }
    std::cout << json_dump(Json{{"y", out}}) << "\n";
    return 0;
}

}  // namespace stockcast::cli
