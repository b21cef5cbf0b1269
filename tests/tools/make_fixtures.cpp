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
#include "stockcast/model.hpp"
#include "stockcast/sha256.hpp"

using namespace stockcast;
using Bytes = std::vector<std::uint8_t>;

namespace {

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
    std::uint32_t state = 7;
    for (auto& t : m.net.tensors()) {
        std::size_t n = 1;
        for (int d : t.shape) n *= static_cast<std::size_t>(d);
        for (std::size_t i = 0; i < n; ++i) {
            state = state * 1664525u + 1013904223u;
            t.data[i] = (static_cast<float>(state >> 8) / 16777216.0f - 0.5f);
        }
    }
    m.meta = ModelMeta{"HOSTILE", "general", "1", "2026-11-22", "2008-01-01", "2020-06-30", {"AAA", "BBB", "CCC"}, Json::object()};
    m.input.scale = {10.0f};
    m.output.scale = {0.02f, 0.05f, 0.07f, 0.1f};
    for (int h = 0; h < 4; ++h) {
        m.intervals.lower.push_back({-0.02, -0.03, -0.04});
        m.intervals.upper.push_back({0.02, 0.03, 0.04});
    }
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

// The golden network (scripts/golden_nn.py) as a float32 model file.
bool write_golden_model(const std::string& tests_dir, const std::string& name) {
    auto text = read_text_file(tests_dir + "/golden/" + name + ".json");
    if (!text) return false;
    auto parsed = parse_json(text.value());
    if (!parsed) return false;
    const Json& doc = parsed.value();
    const Json* a = json_find(doc, "architecture");
    nn::Architecture arch;
    if (a == nullptr || !read_int(*a, "window", arch.window) || !read_numbers(json_find(*a, "lstm_units"), arch.lstm_units) ||
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
    m.meta = ModelMeta{"golden_" + name, arch.has_embedding() ? "general" : "stock_specific", "1", "", "", "", {}, Json::object()};
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
    for (const char* name : {"nn_stock_specific", "nn_general"})
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
    cases.emplace_back("future_version", "unsupported_version", [&] { Bytes b = valid; b[8] = 2; return rehash(b); });
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

    Json index = Json::array();
    for (auto& [name, code, make] : cases) {
        const Bytes bytes = make();
        std::ofstream(dir + "/" + name + ".stkm", std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                                                         static_cast<std::streamsize>(bytes.size()));
        index.push_back({{"file", name + ".stkm"}, {"code", code}});
    }
    std::ofstream(dir + "/cases.json") << json_dump(index, 1) << "\n";
    std::printf("wrote %zu files to %s\n", cases.size(), dir.c_str());
    return 0;
}
