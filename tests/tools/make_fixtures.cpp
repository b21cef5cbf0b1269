// Writes the committed test fixtures that native (Catch2) and WASM (Node) tests both replay:
//  - tests/golden/nn_{stock_specific,general}.stkm: the PyTorch golden weights as model files;
//  - tests/hostile/: one valid small model plus broken and hostile variants of it, and
//    cases.json naming the error code each must produce.
// Regenerate with:  build/stockcast_make_fixtures tests
// Most variants keep a valid hash (an attacker can recompute it), so each reaches the check
// it targets rather than stopping at the hash.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "stockcast/data_files.hpp"
#include "stockcast/factor_model.hpp"
#include "stockcast/model.hpp"
#include "stockcast/sha256.hpp"

using namespace stockcast;
using Bytes = std::vector<std::uint8_t>;

namespace {

// Deterministic weights in [-0.5, 0.5) from a linear congruential generator seeded with `seed`.
void fill_weights(nn::Network& net, std::uint32_t seed) {
    std::uint32_t state = seed;
    for (auto& t : net.tensors()) {
        std::size_t n = 1;
        for (int d : t.shape) n *= static_cast<std::size_t>(d);
        for (std::size_t i = 0; i < n; ++i) {
            state = state * 1664525u + 1013904223u;
            t.data[i] = (static_cast<float>(state >> 8) / 16777216.0f - 0.5f);
        }
    }
}

Model small_model() {
    nn::Architecture a;
    a.window = 60;
    a.lstm_units = {8, 8};
    a.dense_units = 4;
    a.outputs = 4;
    a.embedding_count = 3;
    a.embedding_dim = 2;
    Model m;
    m.net = nn::Network::zeros(a);
    fill_weights(m.net, 7);
    m.meta = ModelMeta{"HOSTILE", "general", "1", "2026-11-22", "2008-01-01", "2020-06-30", {"AAA", "BBB", "CCC"}, Json::object()};
    m.input.scale = {10.0f};
    m.output.scale = {0.02f, 0.05f, 0.07f, 0.1f};
    for (int h = 0; h < 4; ++h) {
        m.intervals.lower.push_back({-0.02, -0.03, -0.04});
        m.intervals.upper.push_back({0.02, 0.03, 0.04});
    }
    return m;
}

nn::Architecture transformer_architecture(int d, int heads) {
    nn::Architecture a;
    a.type = nn::ArchType::transformer;
    a.window = 30;
    a.lstm_units.clear();
    a.dense_units = 0;
    a.d_model = d;
    a.heads = heads;
    a.encoder_layers = 2;
    a.ff_units = 12;
    a.outputs = 4;
    a.dropout = 0;
    return a;
}

// A small transformer_v1 model (d 8, 2 heads, 2 layers) with the same deterministic weights.
Model small_transformer() {
    Model m = small_model();
    m.net = nn::Network::zeros(transformer_architecture(8, 2));
    fill_weights(m.net, 11);
    m.meta.name = "HOSTILE_TRANSFORMER";
    m.meta.kind = "transformer";
    m.meta.stocks.clear();
    return m;
}

struct Parts {
    Json header;
    Bytes data;
};

Parts split(const Bytes& file) {
    const std::uint32_t header_len = file[12] | (file[13] << 8) | (file[14] << 16) | (static_cast<std::uint32_t>(file[15]) << 24);
    const std::size_t data_start = (24 + header_len + 63) / 64 * 64;
    Parts p;
    p.header = parse_json({reinterpret_cast<const char*>(file.data()) + 24, header_len}).value();
    p.data.assign(file.begin() + static_cast<std::ptrdiff_t>(data_start), file.end() - 32);
    return p;
}

Json& tensor(Json& header, const std::string& name) {
    for (Json& t : header["tensors"])
        if (t["name"] == name) return t;
    std::fprintf(stderr, "no tensor %s\n", name.c_str());
    std::exit(1);
}

// header.KEY as an int / numbers; false when missing or of another type (never an abort).
bool read_int(const Json& obj, const char* key, int& out) {
    const Json* v = json_find(obj, key);
    const auto n = v ? json_int(*v) : std::nullopt;
    if (!n || *n < 0 || *n > 1 << 30) return false;
    out = static_cast<int>(*n);
    return true;
}
template <class T>
bool read_numbers(const Json* v, std::vector<T>& out) {
    if (v == nullptr || !v->is_array()) return false;
    out.clear();
    for (const Json& e : *v) {
        if (!e.is_number() || !(std::fabs(e.get<double>()) <= 1e30)) return false;
        out.push_back(e.get<T>());
    }
    return true;
}

Bytes rehash(Bytes file) {
    const Sha256Digest d = sha256(file.data(), file.size() - 32);
    std::memcpy(file.data() + file.size() - 32, d.data(), 32);
    return file;
}

}  // namespace

// Small factor models of every kind (hand-made parameters), for the hostile fixtures.
FactorModel factor_base(FactorKind kind) {
    FactorModel m;
    m.kind = kind;
    m.features = {"clv", "range_rel", "ret_1"};
    m.min = {-0.1, -0.01, -0.3};
    m.max = {1.1, 0.2, 0.3};
    m.target = kind == FactorKind::logistic ? "high_range_next" : "next_range_rel";
    m.target_definition = "fixture";
    m.name = std::string("hostile_") + factor_kind_name(kind);
    m.trained_at = "2026-12-03";
    if (kind != FactorKind::random_forest && kind != FactorKind::extra_trees && kind != FactorKind::gradient_boosting) {
        m.scaler_mean = {0.5, 0.03, 0.0};
        m.scaler_scale = {0.3, 0.02, 0.02};
    }
    switch (kind) {
        case FactorKind::linear:
        case FactorKind::logistic:
            m.coef = {0.1, 0.8, -0.3};
            m.intercept = 0.02;
            if (kind == FactorKind::logistic) m.classes = {"normal_range", "high_range"};
            break;
        case FactorKind::random_forest:
        case FactorKind::extra_trees:
        case FactorKind::gradient_boosting:
            // Two trees: a stump on range_rel, and a depth-2 tree on clv then ret_1.
            m.trees.roots = {0, 3};
            m.trees.feature = {1, 0, 0, 0, 0, 2, 0, 0};
            m.trees.threshold = {0.05, 0, 0, 0.5, 0, 0.01, 0, 0};
            m.trees.left = {1, -1, -1, 4, -1, 6, -1, -1};
            m.trees.right = {2, -1, -1, 5, -1, 7, -1, -1};
            m.trees.value = {0, 0.02, 0.06, 0, 0.03, 0, 0.01, 0.05};
            if (kind == FactorKind::gradient_boosting) m.trees.learning_rate = 0.1, m.trees.init = 0.03;
            break;
        case FactorKind::svr:
            m.support_vectors = {0.1, -0.2, 0.3, -1.0, 0.5, 0.0};
            m.dual_coef = {0.7, -0.4};
            m.gamma = 0.125;
            m.intercept = 0.01;
            m.output_scale = 0.02, m.output_offset = 0.03;
            break;
        case FactorKind::mlp: {
            DenseLayer a{3, 2, {0.5, -0.2, 0.1, 0.3, -0.4, 0.6}, {0.01, -0.02}, Activation::relu};
            DenseLayer b{2, 1, {0.7, -0.5}, {0.05}, Activation::identity};
            m.layers = {a, b};
            m.output_scale = 0.02, m.output_offset = 0.03;
            break;
        }
    }
    return m;
}

Bytes factor_file(const FactorModel& m) {
    auto w = write_factor_model(m);
    if (!w) {
        std::fprintf(stderr, "factor fixture %s: %s\n", m.name.c_str(), w.error().message.c_str());
        std::exit(1);
    }
    return w.value();
}

// The golden network (scripts/golden_nn.py) as a float32 model file.
bool write_golden_model(const std::string& tests_dir, const std::string& name) {
    auto text = read_text_file(tests_dir + "/golden/" + name + ".json");
    if (!text) return false;
    auto parsed = parse_json(text.value());
    if (!parsed) return false;
    const Json& doc = parsed.value();
    const Json* a = json_find(doc, "architecture");
    nn::Architecture arch;
    const Json* type = a ? json_find(*a, "type") : nullptr;
    if (type != nullptr && *type == "transformer_v1") {  // scripts/golden_transformer.py
        arch = transformer_architecture(1, 1);
        if (!read_int(*a, "window", arch.window) || !read_int(*a, "features", arch.features) ||
            !read_int(*a, "d_model", arch.d_model) || !read_int(*a, "heads", arch.heads) ||
            !read_int(*a, "encoder_layers", arch.encoder_layers) || !read_int(*a, "ff_units", arch.ff_units) ||
            !read_int(*a, "outputs", arch.outputs) || !arch.validate())
            return false;
    } else if (a == nullptr || !read_int(*a, "window", arch.window) || !read_numbers(json_find(*a, "lstm_units"), arch.lstm_units) ||
        !read_int(*a, "dense_units", arch.dense_units) || !read_int(*a, "outputs", arch.outputs) ||
        !read_int(*a, "embedding_count", arch.embedding_count) || !read_int(*a, "embedding_dim", arch.embedding_dim) ||
        !arch.validate())
        return false;
    Model m;
    m.net = nn::Network::zeros(arch);
    const Json* weights = json_find(doc, "weights");
    for (auto& t : m.net.tensors()) {
        const Json* w = weights ? json_find(*weights, t.name) : nullptr;
        std::size_t n = 1;
        for (int d : t.shape) n *= static_cast<std::size_t>(d);
        std::vector<float> values;
        if (w == nullptr || !read_numbers(json_find(*w, "values"), values) || values.size() != n) return false;
        std::copy(values.begin(), values.end(), t.data);
    }
    m.meta = ModelMeta{"golden_" + name, arch.is_transformer() ? "transformer" : arch.has_embedding() ? "general" : "stock_specific",
                       "1", "", "", "", {}, Json::object()};
    for (int i = 0; i < arch.embedding_count; ++i) m.meta.stocks.push_back("G" + std::to_string(i));
    m.output.scale = {1, 1, 1, 1};
    for (int h = 0; h < 4; ++h) {
        m.intervals.lower.push_back({-0.02, -0.03, -0.04});
        m.intervals.upper.push_back({0.02, 0.03, 0.04});
    }
    auto bytes = write_model(m, Dtype::f32);
    if (!bytes) return false;
    std::ofstream(tests_dir + "/golden/" + name + ".stkm", std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.value().data()), static_cast<std::streamsize>(bytes.value().size()));
    return true;
}

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s TESTS_DIR\n", argv[0]);
        return 2;
    }
    for (const char* name : {"nn_stock_specific", "nn_general", "transformer"})
        if (!write_golden_model(argv[1], name)) {
            std::fprintf(stderr, "cannot write golden model %s\n", name);
            return 1;
        }
    const std::string dir = std::string(argv[1]) + "/hostile";
    auto written = write_model(small_model(), Dtype::f32);
    if (!written) {
        std::fprintf(stderr, "%s\n", written.error().message.c_str());
        return 1;
    }
    const Bytes valid = written.value();
    const Parts base = split(valid);

    // name -> (expected code, producer)
    std::vector<std::tuple<std::string, std::string, std::function<Bytes()>>> cases;
    auto edit_header = [&](std::function<void(Json&)> edit) {
        return [&base, edit]() {
            Parts p = base;
            edit(p.header);
            return assemble_model_file(p.header, p.data);
        };
    };
    cases.emplace_back("valid", "ok", [&] { return valid; });
    cases.emplace_back("empty", "truncated", [] { return Bytes{}; });
    cases.emplace_back("truncated_in_prefix", "truncated", [&] { return Bytes(valid.begin(), valid.begin() + 20); });
    cases.emplace_back("truncated_in_header", "truncated", [&] { return Bytes(valid.begin(), valid.begin() + 200); });
    cases.emplace_back("truncated_in_data", "truncated", [&] { return Bytes(valid.begin(), valid.end() - 300); });
    cases.emplace_back("truncated_hash", "truncated", [&] { return Bytes(valid.begin(), valid.end() - 5); });
    cases.emplace_back("trailing_bytes", "bad_header", [&] { Bytes b = valid; b.resize(b.size() + 16, 0); return b; });
    cases.emplace_back("bad_magic", "bad_magic", [&] { Bytes b = valid; b[0] = 'P'; b[1] = 'K'; return b; });
    cases.emplace_back("not_a_model_text", "bad_magic", [] { std::string s = "<html>404 Not Found</html>"; return Bytes(s.begin(), s.end()); });
    cases.emplace_back("future_version", "unsupported_version", [&] { Bytes b = valid; b[8] = 3; return rehash(b); });
    cases.emplace_back("header_length_past_end", "truncated", [&] { Bytes b = valid; b[12] = 0xff; b[13] = 0xff; b[14] = 0x0f; return rehash(b); });
    cases.emplace_back("header_length_absurd", "dimension_too_large", [&] { Bytes b = valid; b[15] = 0x7f; return rehash(b); });
    cases.emplace_back("data_length_absurd", "dimension_too_large", [&] { Bytes b = valid; b[23] = 0x01; return rehash(b); });
    cases.emplace_back("wrong_hash", "hash_mismatch", [&] { Bytes b = valid; b[b.size() - 40] ^= 0x01; return b; });
    cases.emplace_back("flipped_weight_byte", "hash_mismatch", [&] { Bytes b = valid; b[b.size() - 200] ^= 0x40; return b; });
    cases.emplace_back("header_not_json", "bad_header", [&] { Bytes b = valid; b[24] = '['; b[25] = '{'; return rehash(b); });
    cases.emplace_back("wrong_format_name", "bad_header", edit_header([](Json& h) { h["format"] = "onnx"; }));
    cases.emplace_back("unknown_architecture", "unknown_architecture", edit_header([](Json& h) { h["architecture"]["type"] = "transformer"; }));
    cases.emplace_back("absurd_dimension", "dimension_too_large", edit_header([](Json& h) { h["architecture"]["lstm_units"] = {8, 1000000000}; }));
    cases.emplace_back("negative_dimension", "bad_header", edit_header([](Json& h) { h["architecture"]["window"] = -60; }));
    cases.emplace_back("dimension_wrong_type", "bad_header", edit_header([](Json& h) { h["architecture"]["window"] = "60"; }));
    cases.emplace_back("tensor_offset_past_end", "tensor_out_of_bounds", edit_header([](Json& h) { tensor(h, "dense2.bias")["offset"] = 1 << 20; }));
    cases.emplace_back("tensor_misaligned", "tensor_misaligned", edit_header([](Json& h) { tensor(h, "dense2.bias")["offset"] = 4; }));
    cases.emplace_back("tensors_overlap", "tensor_overlap", edit_header([](Json& h) { tensor(h, "dense2.bias")["offset"] = tensor(h, "dense2.kernel")["offset"]; }));
    cases.emplace_back("shape_mismatch", "shape_mismatch", edit_header([](Json& h) { tensor(h, "lstm2.recurrent_kernel")["shape"] = {8, 24}; }));
    cases.emplace_back("missing_tensor", "missing_tensor", edit_header([](Json& h) {
        Json kept = Json::array();
        for (Json& t : h["tensors"]) if (t["name"] != "dense1.bias") kept.push_back(t);
        h["tensors"] = kept;
    }));
    cases.emplace_back("unknown_tensor", "unexpected_tensor", edit_header([](Json& h) { tensor(h, "dense1.bias")["name"] = "dense9.bias"; }));
    cases.emplace_back("duplicate_tensor", "unexpected_tensor", edit_header([](Json& h) { h["tensors"].push_back(tensor(h, "dense1.bias")); }));
    cases.emplace_back("bad_dtype", "bad_header", edit_header([](Json& h) { tensor(h, "dense1.bias")["dtype"] = "f64"; }));
    cases.emplace_back("nan_weight", "non_finite", [&] {
        Parts p = base;
        const std::size_t at = tensor(p.header, "lstm1.recurrent_kernel")["offset"].get<std::size_t>() + 4 * 5;
        const float nan = std::nanf("");
        std::memcpy(p.data.data() + at, &nan, 4);
        return assemble_model_file(p.header, p.data);
    });
    cases.emplace_back("inf_weight", "non_finite", [&] {
        Parts p = base;
        const std::size_t at = tensor(p.header, "dense2.kernel")["offset"].get<std::size_t>();
        const float inf = INFINITY;
        std::memcpy(p.data.data() + at, &inf, 4);
        return assemble_model_file(p.header, p.data);
    });
    cases.emplace_back("changed_weight_rehashed", "test_vector_mismatch", [&] {
        Parts p = base;
        const std::size_t at = tensor(p.header, "dense2.bias")["offset"].get<std::size_t>();
        float v;
        std::memcpy(&v, p.data.data() + at, 4);
        v += 0.5f;
        std::memcpy(p.data.data() + at, &v, 4);
        return assemble_model_file(p.header, p.data);
    });
    cases.emplace_back("wrong_test_vector", "test_vector_mismatch", edit_header([](Json& h) { h["test_vector"]["y"][1] = h["test_vector"]["y"][1].get<double>() + 1.0; }));
    cases.emplace_back("test_vector_wrong_length", "shape_mismatch", edit_header([](Json& h) { h["test_vector"]["y"].erase(0); }));
    cases.emplace_back("missing_test_vector", "bad_header", edit_header([](Json& h) { h.erase("test_vector"); }));
    cases.emplace_back("unknown_feature", "unknown_architecture", edit_header([](Json& h) { h["input"]["features"] = {"open_price"}; }));
    cases.emplace_back("horizons_not_increasing", "bad_header", edit_header([](Json& h) { h["output"]["horizons"] = {1, 10, 5, 30}; }));
    cases.emplace_back("interval_lower_above_upper", "bad_header", edit_header([](Json& h) { h["intervals"]["lower"][0][0] = 0.5; }));
    cases.emplace_back("stocks_count_mismatch", "shape_mismatch", edit_header([](Json& h) { h["meta"]["stocks"] = {"AAA"}; }));
    cases.emplace_back("kind_mismatch", "bad_header", edit_header([](Json& h) { h["meta"]["kind"] = "stock_specific"; }));

    // Transformer networks (transformer_v1, format version 2): the same reader as the LSTM's.
    auto written_t = write_model(small_transformer(), Dtype::f32);
    if (!written_t) {
        std::fprintf(stderr, "%s\n", written_t.error().message.c_str());
        return 1;
    }
    const Bytes valid_t = written_t.value();
    const Parts tbase = split(valid_t);
    auto edit_t = [&](std::function<void(Parts&)> fn) {
        return [&tbase, fn]() {
            Parts p = tbase;
            fn(p);
            return assemble_model_file(p.header, p.data, 2);
        };
    };
    cases.emplace_back("transformer_valid", "ok", [&] { return valid_t; });
    cases.emplace_back("transformer_in_version_1", "unsupported_version", [&] { return assemble_model_file(tbase.header, tbase.data, 1); });
    cases.emplace_back("transformer_heads_not_dividing", "bad_header", edit_t([](Parts& p) { p.header["architecture"]["heads"] = 3; }));
    cases.emplace_back("transformer_absurd_d_model", "dimension_too_large", edit_t([](Parts& p) { p.header["architecture"]["d_model"] = 1 << 30; }));
    cases.emplace_back("transformer_absurd_layers", "dimension_too_large", edit_t([](Parts& p) { p.header["architecture"]["encoder_layers"] = 100000; }));
    cases.emplace_back("transformer_zero_heads", "bad_header", edit_t([](Parts& p) { p.header["architecture"]["heads"] = 0; }));
    cases.emplace_back("transformer_with_lstm_field", "bad_header", edit_t([](Parts& p) { p.header["architecture"]["lstm_units"] = {8}; }));
    cases.emplace_back("transformer_missing_field", "bad_header", edit_t([](Parts& p) { p.header["architecture"].erase("ff_units"); }));
    cases.emplace_back("transformer_shape_mismatch", "shape_mismatch", edit_t([](Parts& p) {
        tensor(p.header, "layers.1.self_attn.in_proj.kernel")["shape"] = {8, 16};
    }));
    cases.emplace_back("transformer_layers_vs_tensors", "missing_tensor", edit_t([](Parts& p) { p.header["architecture"]["encoder_layers"] = 3; }));
    cases.emplace_back("transformer_lstm_tensor", "unexpected_tensor", edit_t([](Parts& p) { tensor(p.header, "head.bias")["name"] = "dense2.bias"; }));
    cases.emplace_back("transformer_missing_norm", "missing_tensor", edit_t([](Parts& p) {
        Json kept = Json::array();
        for (Json& t : p.header["tensors"]) if (t["name"] != "layers.0.norm2.weight") kept.push_back(t);
        p.header["tensors"] = kept;
    }));
    cases.emplace_back("transformer_nan_weight", "non_finite", edit_t([](Parts& p) {
        const std::size_t at = tensor(p.header, "layers.0.self_attn.in_proj.kernel")["offset"].get<std::size_t>() + 4 * 9;
        const float nan = std::nanf("");
        std::memcpy(p.data.data() + at, &nan, 4);
    }));
    cases.emplace_back("transformer_changed_weight_rehashed", "test_vector_mismatch", edit_t([](Parts& p) {
        const std::size_t at = tensor(p.header, "layers.1.norm2.weight")["offset"].get<std::size_t>();
        float v;
        std::memcpy(&v, p.data.data() + at, 4);
        v += 0.5f;
        std::memcpy(p.data.data() + at, &v, 4);
    }));
    cases.emplace_back("transformer_kind_mismatch", "bad_header", edit_t([](Parts& p) { p.header["meta"]["kind"] = "stock_specific"; }));
    cases.emplace_back("transformer_wrong_test_vector", "test_vector_mismatch", edit_t([](Parts& p) {
        p.header["test_vector"]["y"][2] = p.header["test_vector"]["y"][2].get<double>() + 1.0;
    }));
    cases.emplace_back("lstm_as_transformer", "bad_header", edit_header([](Json& h) { h["architecture"]["type"] = "transformer_v1"; }));

    // Factor models (format version 2): `model: "factor"` rows in cases.json, read by the factor
    // reader natively (parse_factor_model) and in WASM (FactorModel).
    std::vector<std::tuple<std::string, std::string, std::function<Bytes()>>> factor_cases;
    for (FactorKind k : {FactorKind::linear, FactorKind::logistic, FactorKind::random_forest, FactorKind::extra_trees,
                         FactorKind::gradient_boosting, FactorKind::svr, FactorKind::mlp})
        factor_cases.emplace_back(std::string("factor_valid_") + factor_kind_name(k), "ok", [k] { return factor_file(factor_base(k)); });
    const Parts gb = split(factor_file(factor_base(FactorKind::gradient_boosting)));
    const Parts svr = split(factor_file(factor_base(FactorKind::svr)));
    const Parts mlp = split(factor_file(factor_base(FactorKind::mlp)));
    const Parts lin = split(factor_file(factor_base(FactorKind::linear)));
    auto edit = [](const Parts& base, std::function<void(Parts&)> fn) {
        return [base, fn]() {
            Parts p = base;
            fn(p);
            return assemble_model_file(p.header, p.data, 2);
        };
    };
    auto put_i32 = [](Parts& p, const std::string& name, std::size_t i, std::int32_t v) {
        const std::size_t at = tensor(p.header, name)["offset"].get<std::size_t>() + 4 * i;
        for (int b = 0; b < 4; ++b) p.data[at + b] = static_cast<std::uint8_t>(static_cast<std::uint32_t>(v) >> (8 * b));
    };
    auto put_f64 = [](Parts& p, const std::string& name, std::size_t i, double v) {
        const std::size_t at = tensor(p.header, name)["offset"].get<std::size_t>() + 8 * i;
        std::memcpy(p.data.data() + at, &v, 8);
    };
    factor_cases.emplace_back("factor_tree_child_out_of_range", "bad_structure", edit(gb, [&](Parts& p) { put_i32(p, "tree.left", 3, 9999); }));
    factor_cases.emplace_back("factor_tree_child_in_other_tree", "bad_structure", edit(gb, [&](Parts& p) { put_i32(p, "tree.right", 0, 4); }));
    factor_cases.emplace_back("factor_tree_cycle", "bad_structure", edit(gb, [&](Parts& p) { put_i32(p, "tree.right", 5, 3); }));
    factor_cases.emplace_back("factor_tree_self_loop", "bad_structure", edit(gb, [&](Parts& p) { put_i32(p, "tree.left", 0, 0); }));
    factor_cases.emplace_back("factor_tree_feature_out_of_range", "bad_structure", edit(gb, [&](Parts& p) { put_i32(p, "tree.feature", 5, 3); }));
    factor_cases.emplace_back("factor_tree_negative_index", "bad_structure", edit(gb, [&](Parts& p) { put_i32(p, "tree.left", 3, -7); }));
    factor_cases.emplace_back("factor_tree_roots_not_increasing", "bad_structure", edit(gb, [&](Parts& p) { put_i32(p, "tree.roots", 1, 0); }));
    factor_cases.emplace_back("factor_tree_nan_threshold", "non_finite", edit(gb, [&](Parts& p) { put_f64(p, "tree.threshold", 0, std::nan("")); }));
    factor_cases.emplace_back("factor_tree_no_trees", "bad_structure", edit(gb, [&](Parts& p) {
        p.header["architecture"]["trees"] = 0;
        tensor(p.header, "tree.roots")["shape"] = {0};
    }));
    factor_cases.emplace_back("factor_tree_nodes_absurd", "dimension_too_large", edit(gb, [&](Parts& p) { p.header["architecture"]["nodes"] = 2000000000; }));
    factor_cases.emplace_back("factor_tree_nodes_past_data", "tensor_out_of_bounds", edit(gb, [&](Parts& p) {
        p.header["architecture"]["nodes"] = 1000000;
        for (const char* n : {"tree.feature", "tree.threshold", "tree.left", "tree.right", "tree.value"}) tensor(p.header, n)["shape"] = {1000000};
    }));
    factor_cases.emplace_back("factor_tree_index_dtype", "bad_header", edit(gb, [&](Parts& p) { tensor(p.header, "tree.left")["dtype"] = "f32"; }));
    factor_cases.emplace_back("factor_tree_missing_tensor", "missing_tensor", edit(gb, [&](Parts& p) {
        Json kept = Json::array();
        for (Json& t : p.header["tensors"]) if (t["name"] != "tree.value") kept.push_back(t);
        p.header["tensors"] = kept;
    }));
    factor_cases.emplace_back("factor_svr_zero_support_vectors", "bad_structure", edit(svr, [&](Parts& p) {
        p.header["architecture"]["support_vectors"] = 0;
        tensor(p.header, "svr.support_vectors")["shape"] = {0, 3};
        tensor(p.header, "svr.dual_coef")["shape"] = {0};
    }));
    factor_cases.emplace_back("factor_svr_absurd_count", "dimension_too_large", edit(svr, [&](Parts& p) { p.header["architecture"]["support_vectors"] = 1000000000; }));
    factor_cases.emplace_back("factor_svr_shape_mismatch", "shape_mismatch", edit(svr, [&](Parts& p) { tensor(p.header, "svr.support_vectors")["shape"] = {3, 2}; }));
    factor_cases.emplace_back("factor_svr_bad_gamma", "bad_header", edit(svr, [&](Parts& p) { p.header["architecture"]["gamma"] = -1.0; }));
    factor_cases.emplace_back("factor_mlp_absurd_units", "dimension_too_large", edit(mlp, [&](Parts& p) { p.header["architecture"]["layers"] = {100000, 1}; }));
    factor_cases.emplace_back("factor_mlp_unknown_activation", "unknown_architecture", edit(mlp, [&](Parts& p) { p.header["architecture"]["activation"] = "gelu"; }));
    factor_cases.emplace_back("factor_mlp_two_outputs", "shape_mismatch", edit(mlp, [&](Parts& p) {
        p.header["architecture"]["layers"] = {2, 2};
        tensor(p.header, "mlp.1.kernel")["shape"] = {2, 2};
        tensor(p.header, "mlp.1.bias")["shape"] = {2};
    }));
    factor_cases.emplace_back("factor_unknown_kind", "unknown_architecture", edit(lin, [&](Parts& p) { p.header["architecture"]["type"] = "xgboost"; }));
    factor_cases.emplace_back("factor_unknown_feature", "unknown_architecture", edit(lin, [&](Parts& p) { p.header["input"]["features"][0] = "pe_ratio"; }));
    factor_cases.emplace_back("factor_range_min_above_max", "bad_header", edit(lin, [&](Parts& p) { p.header["input"]["min"][1] = 5.0; }));
    factor_cases.emplace_back("factor_range_missing", "bad_header", edit(lin, [&](Parts& p) { p.header["input"].erase("max"); }));
    factor_cases.emplace_back("factor_scaler_zero_scale", "bad_header", edit(lin, [&](Parts& p) { p.header["input"]["scaler"]["scale"][0] = 0.0; }));
    factor_cases.emplace_back("factor_logistic_without_classes", "bad_header", edit(split(factor_file(factor_base(FactorKind::logistic))), [&](Parts& p) {
        p.header["output"].erase("classes");
    }));
    factor_cases.emplace_back("factor_changed_coef_rehashed", "test_vector_mismatch", edit(lin, [&](Parts& p) { put_f64(p, "coef", 1, 0.9); }));
    factor_cases.emplace_back("factor_nan_coef", "non_finite", edit(lin, [&](Parts& p) { put_f64(p, "coef", 0, INFINITY); }));
    factor_cases.emplace_back("factor_in_version_1", "unsupported_version", [&] { return assemble_model_file(lin.header, lin.data, 1); });
    factor_cases.emplace_back("factor_meta_kind", "bad_header", edit(lin, [&](Parts& p) { p.header["meta"]["kind"] = "general"; }));
    factor_cases.emplace_back("factor_test_vector_wrong", "test_vector_mismatch", edit(lin, [&](Parts& p) { p.header["test_vector"]["y"][0] = 5.0; }));
    factor_cases.emplace_back("factor_flipped_byte", "hash_mismatch", [&] { Bytes b = assemble_model_file(lin.header, lin.data, 2); b[b.size() - 40] ^= 1; return b; });

    Json index = Json::array();
    for (auto& [name, code, make] : cases) {
        const Bytes bytes = make();
        std::ofstream(dir + "/" + name + ".stkm", std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                                                         static_cast<std::streamsize>(bytes.size()));
        index.push_back({{"file", name + ".stkm"}, {"code", code}});
    }
    for (auto& [name, code, make] : factor_cases) {
        const Bytes bytes = make();
        std::ofstream(dir + "/" + name + ".stkm", std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                                                         static_cast<std::streamsize>(bytes.size()));
        index.push_back({{"file", name + ".stkm"}, {"code", code}, {"model", "factor"}});
    }
    std::ofstream(dir + "/cases.json") << json_dump(index, 1) << "\n";
    std::printf("wrote %zu files to %s\n", cases.size() + factor_cases.size(), dir.c_str());
    return 0;
}
