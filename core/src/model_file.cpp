// Model file format v1: reader and writer. See model.hpp for the byte layout and
// docs/model-format.md for the header fields. The reader trusts nothing.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <optional>

#include "stockcast/features.hpp"
#include "stockcast/float16.hpp"
#include "stockcast/model.hpp"
#include "stockcast/sha256.hpp"
#include "model_file_detail.hpp"

namespace stockcast {
using namespace detail;
namespace {

Status parse_dropout(const Json& a, nn::Architecture& arch) {
    const Json* d = json_find(a, "dropout");
    // Checked as a double: converting one beyond the float range would be undefined behaviour.
    if (d == nullptr || !d->is_number() || !(d->get<double>() >= 0 && d->get<double>() < 1))
        return header_error("architecture.dropout", "a number in [0, 1)", d);
    arch.dropout = d->get<float>();
    return Ok{};
}

// transformer_v1 (transformer.hpp): window, features, d_model, heads, encoder_layers, ff_units,
// outputs, dropout; nothing else of the LSTM's.
Status parse_transformer_architecture(const Json& a, nn::Architecture& arch) {
    arch = nn::Architecture{};
    arch.type = nn::ArchType::transformer;
    arch.lstm_units.clear();
    arch.dense_units = 0;
    struct Field {
        const char* key;
        int max;
        int* dest;
    };
    for (const Field& f : {Field{"window", nn::kMaxWindow, &arch.window}, Field{"features", nn::kMaxFeatures, &arch.features},
                           Field{"d_model", nn::kMaxModelDim, &arch.d_model}, Field{"heads", nn::kMaxHeads, &arch.heads},
                           Field{"encoder_layers", nn::kMaxEncoderLayers, &arch.encoder_layers},
                           Field{"ff_units", nn::kMaxFeedForward, &arch.ff_units}, Field{"outputs", nn::kMaxOutputs, &arch.outputs}}) {
        long long v = 0;
        if (Status s = get_int(a, f.key, "architecture.", 1, f.max, v); !s) return s;
        *f.dest = static_cast<int>(v);
    }
    for (const char* key : {"lstm_units", "dense_units", "embedding_count", "embedding_dim"})
        if (json_find(a, key) != nullptr)
            return make_error(ErrorCode::bad_header, {"header.architecture.", key, ": not a field of transformer_v1"});
    if (Status s = parse_dropout(a, arch); !s) return s;
    return arch.validate();
}

Status parse_architecture(const Json& header, nn::Architecture& arch) {
    const Json* a = json_find(header, "architecture");
    if (a == nullptr || !a->is_object()) return header_error("architecture", "an object", a);
    std::string type;
    if (Status s = get_string(*a, "type", "architecture.", type); !s) return s;
    if (type == "transformer_v1") return parse_transformer_architecture(*a, arch);
    if (type != "lstm_v1")
        return make_error(ErrorCode::unknown_architecture,
                          {"header.architecture.type: expected \"lstm_v1\" or \"transformer_v1\", got \"", type, "\""});
    long long v = 0;
    if (Status s = get_int(*a, "window", "architecture.", 1, nn::kMaxWindow, v); !s) return s;
    arch.window = static_cast<int>(v);
    if (Status s = get_int(*a, "features", "architecture.", 1, nn::kMaxFeatures, v); !s) return s;
    arch.features = static_cast<int>(v);
    if (Status s = get_numbers(*a, "lstm_units", "architecture.", 3, arch.lstm_units); !s) return s;
    if (Status s = get_int(*a, "dense_units", "architecture.", 1, nn::kMaxUnits, v); !s) return s;
    arch.dense_units = static_cast<int>(v);
    if (Status s = get_int(*a, "outputs", "architecture.", 1, nn::kMaxOutputs, v); !s) return s;
    arch.outputs = static_cast<int>(v);
    if (Status s = get_int(*a, "embedding_count", "architecture.", 0, nn::kMaxEmbeddingCount, v); !s) return s;
    arch.embedding_count = static_cast<int>(v);
    if (Status s = get_int(*a, "embedding_dim", "architecture.", 0, nn::kMaxEmbeddingDim, v); !s) return s;
    arch.embedding_dim = static_cast<int>(v);
    if (Status s = parse_dropout(*a, arch); !s) return s;
    return arch.validate();
}

struct TensorEntry {
    std::string name;
    Dtype dtype;
    std::uint64_t offset, bytes;
};

// Checks the tensor table against the architecture and the data section, before allocating.
Status parse_tensor_table(const Json& header, const nn::Architecture& arch, std::uint64_t data_bytes,
                          std::vector<TensorEntry>& entries) {
    const Json* t = json_find(header, "tensors");
    if (t == nullptr || !t->is_array()) return header_error("tensors", "an array", t);
    if (t->size() > static_cast<std::size_t>(kMaxTensors))
        return make_error(ErrorCode::dimension_too_large, {"header.tensors: at most ", kMaxTensors, " tensors, got ", t->size()});
    std::map<std::string, nn::TensorSpec> expected;
    for (auto& spec : nn::expected_tensors(arch)) expected[spec.name] = spec;
    std::map<std::string, TensorEntry> seen;
    for (std::size_t i = 0; i < t->size(); ++i) {
        const Json& e = (*t)[i];
        const std::string path = cat({"tensors[", i, "]."});
        TensorEntry entry;
        if (Status s = get_string(e, "name", path, entry.name); !s) return s;
        std::string dtype;
        if (Status s = get_string(e, "dtype", path, dtype); !s) return s;
        if (dtype != "f32" && dtype != "f16")
            return make_error(ErrorCode::bad_header, {"header.", path, "dtype: expected \"f32\" or \"f16\", got \"", dtype, "\""});
        entry.dtype = dtype == "f32" ? Dtype::f32 : Dtype::f16;
        std::vector<long long> shape;
        if (Status s = get_numbers(e, "shape", path, 4, shape); !s) return s;
        long long offset = 0;
        if (Status s = get_int(e, "offset", path, 0, static_cast<long long>(kMaxModelBytes), offset); !s) return s;
        auto it = expected.find(entry.name);
        if (it == expected.end())
            return make_error(ErrorCode::unexpected_tensor, {"header.", path, "name: \"", entry.name, "\" is not a tensor of this architecture"});
        if (seen.count(entry.name))
            return make_error(ErrorCode::unexpected_tensor, {"header.", path, "name: \"", entry.name, "\" appears twice"});
        const std::vector<int>& want = it->second.shape;
        if (shape.size() != want.size() || !std::equal(want.begin(), want.end(), shape.begin())) {
            auto show = [](const auto& dims) {
                std::string s = "[";
                for (std::size_t k = 0; k < dims.size(); ++k) s += cat({k ? "," : "", dims[k]});
                return s + "]";
            };
            return make_error(ErrorCode::shape_mismatch,
                              {"tensor ", entry.name, ": expected shape ", show(want), ", got ", show(shape)});
        }
        entry.offset = static_cast<std::uint64_t>(offset);
        entry.bytes = it->second.count() * (entry.dtype == Dtype::f32 ? 4 : 2);
        if (entry.offset % kTensorAlignment != 0)
            return make_error(ErrorCode::tensor_misaligned, {"tensor ", entry.name, ": offset ", entry.offset, " is not a multiple of ", kTensorAlignment});
        if (entry.offset > data_bytes || entry.bytes > data_bytes - entry.offset)
            return make_error(ErrorCode::tensor_out_of_bounds,
                              {"tensor ", entry.name, ": bytes ", entry.offset, "..", entry.offset + entry.bytes, " exceed the data section of ", data_bytes, " bytes"});
        seen[entry.name] = entry;
    }
    for (auto& [name, spec] : expected)
        if (!seen.count(name)) return make_error(ErrorCode::missing_tensor, {"tensor ", name, ": missing from the file"});
    entries.clear();
    for (auto& [name, entry] : seen) entries.push_back(entry);
    // By offset; at most kMaxTensors entries, so an insertion sort (std::sort costs ~1.5 KB of WASM).
    for (std::size_t i = 1; i < entries.size(); ++i)
        for (std::size_t j = i; j > 0 && entries[j].offset < entries[j - 1].offset; --j) std::swap(entries[j], entries[j - 1]);
    for (std::size_t i = 1; i < entries.size(); ++i)
        if (entries[i - 1].offset + entries[i - 1].bytes > entries[i].offset)
            return make_error(ErrorCode::tensor_overlap, {"tensors ", entries[i - 1].name, " and ", entries[i].name, " overlap"});
    return Ok{};
}

Status load_tensor(const TensorEntry& entry, const std::uint8_t* data, float* dest, std::size_t count) {
    const std::uint8_t* src = data + entry.offset;
    for (std::size_t i = 0; i < count; ++i) {
        float v;
        if (entry.dtype == Dtype::f32) {
            std::uint32_t bits = read_u32(src + 4 * i);
            std::memcpy(&v, &bits, sizeof v);
        } else {
            v = half_to_float(static_cast<std::uint16_t>(src[2 * i] | (src[2 * i + 1] << 8)));
        }
        if (!std::isfinite(v))
            return make_error(ErrorCode::non_finite, {"tensor ", entry.name, "[", i, "]: not a finite number"});
        dest[i] = v;
    }
    return Ok{};
}

Status parse_specs(const Json& header, Model& model) {
    const nn::Architecture& arch = model.net.arch;
    const Json* in = json_find(header, "input");
    if (in == nullptr || !in->is_object()) return header_error("input", "an object", in);
    const Json* feats = json_find(*in, "features");
    if (feats == nullptr || !feats->is_array()) return header_error("input.features", "an array of names", feats);
    if (Status s = check_length("input.features", static_cast<std::size_t>(arch.features), feats->size()); !s) return s;
    model.input.features.clear();
    for (const Json& f : *feats) {
        if (!f.is_string()) return header_error("input.features[]", "a string", &f);
        const std::string name = f.get<std::string>();
        if (!is_known_feature(name))
            return make_error(ErrorCode::unknown_architecture, {"header.input.features: unknown feature \"", name, "\""});
        model.input.features.push_back(name);
    }
    if (Status s = get_numbers(*in, "scale", "input.", nn::kMaxFeatures, model.input.scale); !s) return s;
    if (Status s = check_length("input.scale", model.input.features.size(), model.input.scale.size()); !s) return s;

    const Json* out = json_find(header, "output");
    if (out == nullptr || !out->is_object()) return header_error("output", "an object", out);
    if (Status s = get_numbers(*out, "horizons", "output.", nn::kMaxOutputs, model.output.horizons); !s) return s;
    if (Status s = check_length("output.horizons", static_cast<std::size_t>(arch.outputs), model.output.horizons.size()); !s) return s;
    for (std::size_t i = 0; i < model.output.horizons.size(); ++i) {
        const int h = model.output.horizons[i];
        if (h < 1 || h > kMaxHorizon || (i > 0 && h <= model.output.horizons[i - 1]))
            return make_error(ErrorCode::bad_header, {"header.output.horizons: expected increasing values in 1..", kMaxHorizon, ", got ", h});
    }
    if (Status s = get_numbers(*out, "scale", "output.", nn::kMaxOutputs, model.output.scale); !s) return s;
    if (Status s = check_length("output.scale", model.output.horizons.size(), model.output.scale.size()); !s) return s;

    const Json* iv = json_find(header, "intervals");
    if (iv == nullptr || !iv->is_object()) return header_error("intervals", "an object", iv);
    IntervalSpec& spec = model.intervals;
    if (Status s = get_numbers(*iv, "levels", "intervals.", 16, spec.levels); !s) return s;
    for (std::size_t k = 0; k < spec.levels.size(); ++k)
        if (!(spec.levels[k] > 0 && spec.levels[k] < 1) || (k > 0 && spec.levels[k] <= spec.levels[k - 1]))
            return make_error(ErrorCode::bad_header, "header.intervals.levels: expected increasing values in (0, 1)");
    for (const char* side : {"lower", "upper"}) {
        const Json* rows = json_find(*iv, side);
        auto& dest = std::string(side) == "lower" ? spec.lower : spec.upper;
        if (rows == nullptr || !rows->is_array()) return header_error(cat({"intervals.", side}), "an array per horizon", rows);
        if (Status s = check_length(std::string("intervals.") + side, model.output.horizons.size(), rows->size()); !s) return s;
        dest.clear();
        for (std::size_t h = 0; h < rows->size(); ++h) {
            std::vector<double> row;
            const std::string field = cat({"intervals.", side, "[", h, "]"});
            if (Status s = read_numbers(&(*rows)[h], field, 16, row); !s) return s;
            if (Status s = check_length(field, spec.levels.size(), row.size()); !s) return s;
            dest.push_back(std::move(row));
        }
    }
    for (std::size_t h = 0; h < spec.lower.size(); ++h)
        for (std::size_t k = 0; k < spec.levels.size(); ++k)
            if (spec.lower[h][k] > spec.upper[h][k])
                return make_error(ErrorCode::bad_header, {"header.intervals: lower > upper at horizon ", h});
    return Ok{};
}

Status parse_meta(const Json& header, Model& model) {
    const Json* m = json_find(header, "meta");
    if (m == nullptr || !m->is_object()) return header_error("meta", "an object", m);
    ModelMeta& meta = model.meta;
    if (Status s = get_string(*m, "name", "meta.", meta.name); !s) return s;
    if (Status s = get_string(*m, "kind", "meta.", meta.kind); !s) return s;
    if (Status s = get_string(*m, "version", "meta.", meta.version); !s) return s;
    if (Status s = get_string(*m, "trained_at", "meta.", meta.trained_at, false); !s) return s;
    if (Status s = get_string(*m, "data_from", "meta.", meta.data_from, false); !s) return s;
    if (Status s = get_string(*m, "data_to", "meta.", meta.data_to, false); !s) return s;
    const bool general = model.net.arch.has_embedding();
    const char* want = model.net.arch.is_transformer() ? "transformer" : general ? "general" : "stock_specific";
    if (meta.kind != want)
        return make_error(ErrorCode::bad_header, {"header.meta.kind: expected \"", want, "\" for this architecture, got \"", meta.kind, "\""});
    meta.stocks.clear();
    if (general) {
        const Json* stocks = json_find(*m, "stocks");
        if (stocks == nullptr || !stocks->is_array()) return header_error("meta.stocks", "an array of symbols", stocks);
        if (Status s = check_length("meta.stocks", static_cast<std::size_t>(model.net.arch.embedding_count), stocks->size()); !s)
            return s;
        for (const Json& sym : *stocks) {
            if (!sym.is_string()) return header_error("meta.stocks[]", "a string", &sym);
            meta.stocks.push_back(sym.get<std::string>());
        }
    }
    const Json* metrics = json_find(header, "metrics");
    meta.metrics = metrics != nullptr && metrics->is_object() ? *metrics : Json::object();
    return Ok{};
}

// Per-stock table {symbol: [H numbers]} of a general model; stocks not listed get `fallback`.
Status parse_stock_table(const Json& metrics, const char* key, const Model& model, const std::vector<double>& fallback,
                         double min, double max, std::vector<std::vector<double>>& out) {
    const Json* table = json_find(metrics, key);
    out.clear();
    if (table == nullptr) return Ok{};
    const std::string path = std::string("metrics.") + key;
    if (!table->is_object()) return header_error(path, "an object {symbol: [per horizon]}", table);
    if (!model.net.arch.has_embedding())
        return make_error(ErrorCode::bad_header, {"header.", path, ": only a general model has per-stock values"});
    out.assign(model.meta.stocks.size(), fallback);
    for (const auto& [symbol, values] : table->items()) {
        const int id = model.stock_id(symbol);
        if (id < 0) return make_error(ErrorCode::bad_header, {"header.", path, ": \"", symbol, "\" is not in meta.stocks"});
        std::vector<double> row;
        const std::string field = cat({path, ".", symbol});
        if (Status s = read_numbers(&values, field, fallback.size(), row); !s) return s;
        if (Status s = check_length(field, fallback.size(), row.size()); !s) return s;
        for (double v : row)
            if (!(v >= min && v <= max))
                return make_error(ErrorCode::bad_header, {"header.", path, ".", symbol, ": values must lie in [", min, ", ", max, "], got ", v});
        out[static_cast<std::size_t>(id)] = row;
    }
    return Ok{};
}

Status parse_calibration(const Json* metrics, Model& model) {
    Calibration& cal = model.calibration;
    cal = Calibration{};
    if (metrics == nullptr || !metrics->is_object()) return Ok{};
    if (const Json* scaling = json_find(*metrics, "interval_scaling")) {
        std::string kind;
        if (Status s = get_string(*scaling, "kind", "metrics.interval_scaling.", kind); !s) return s;
        if (kind != "window_volatility" && kind != "none")
            return make_error(ErrorCode::bad_header, {"header.metrics.interval_scaling.kind: expected \"window_volatility\" or \"none\", got \"", kind, "\""});
        cal.volatility_scaled = kind == "window_volatility";
    }
    const std::size_t H = model.output.horizons.size();
    const Json* target = json_find(*metrics, "target_scale");
    const bool has_shrink = json_find(*metrics, "stock_shrink") != nullptr;
    if (has_shrink && target == nullptr)
        return make_error(ErrorCode::bad_header, "header.metrics.stock_shrink: needs metrics.target_scale");
    if (has_shrink) {
        std::vector<double> target_scale;
        if (Status s = get_numbers(*metrics, "target_scale", "metrics.", H, target_scale); !s) return s;
        if (Status s = check_length("metrics.target_scale", H, target_scale.size()); !s) return s;
        // Stored as shrink factors in [0, 1] of the target scale; kept as the product.
        std::vector<double> fallback(model.output.scale.begin(), model.output.scale.end());
        std::vector<double> unit(H, 1.0);
        if (Status s = parse_stock_table(*metrics, "stock_shrink", model, unit, 0.0, 1.0, cal.stock_output_scale); !s) return s;
        for (std::size_t id = 0; id < cal.stock_output_scale.size(); ++id) {
            const bool listed = json_find(*metrics, "stock_shrink")->contains(model.meta.stocks[id]);
            for (std::size_t h = 0; h < H; ++h)
                cal.stock_output_scale[id][h] = listed ? cal.stock_output_scale[id][h] * target_scale[h] : fallback[h];
        }
    }
    return parse_stock_table(*metrics, "stock_interval_scale", model, std::vector<double>(H, 1.0), 1e-6, 1e6,
                             cal.stock_interval_scale);
}

Status parse_test_vector(const Json& header, Model& model) {
    const Json* tv = json_find(header, "test_vector");
    if (tv == nullptr || !tv->is_object()) return header_error("test_vector", "an object", tv);
    const nn::Architecture& arch = model.net.arch;
    const std::size_t per_window = static_cast<std::size_t>(arch.window) * arch.features;
    TestVector& t = model.test_vector;
    if (Status s = get_numbers(*tv, "x", "test_vector.", per_window * kMaxTestWindows, t.x); !s) return s;
    if (t.x.empty() || t.x.size() % per_window != 0)
        return make_error(ErrorCode::shape_mismatch, {"header.test_vector.x: expected a multiple of ", per_window, " values, got ", t.x.size()});
    const std::size_t n = t.x.size() / per_window;
    if (Status s = get_numbers(*tv, "y", "test_vector.", static_cast<std::size_t>(arch.outputs) * kMaxTestWindows, t.y); !s) return s;
    if (Status s = check_length("test_vector.y", n * arch.outputs, t.y.size()); !s) return s;
    t.stock_ids.clear();
    if (arch.has_embedding()) {
        if (Status s = get_numbers(*tv, "stock_ids", "test_vector.", kMaxTestWindows, t.stock_ids); !s) return s;
        if (Status s = check_length("test_vector.stock_ids", n, t.stock_ids.size()); !s) return s;
    }
    const Json* tol = json_find(*tv, "tolerance");
    if (tol == nullptr || !tol->is_number()) return header_error("test_vector.tolerance", "a number", tol);
    if (!(tol->get<double>() > 0 && tol->get<double>() <= 1e-2))  // before the conversion to float
        return make_error(ErrorCode::bad_header, {"header.test_vector.tolerance: expected (0, 0.01], got ", tol->get<double>()});
    t.tolerance = tol->get<float>();
    return Ok{};
}

Status run_test_vector(const Model& model) {
    const TestVector& t = model.test_vector;
    const int n = static_cast<int>(t.y.size()) / model.net.arch.outputs;
    std::vector<float> y(t.y.size());
    nn::Workspace ws;
    if (Status s = model.net.forward(t.x.data(), t.stock_ids.empty() ? nullptr : t.stock_ids.data(), n, y.data(), ws); !s)
        return make_error(ErrorCode::test_vector_mismatch, {"test vector could not run: ", s.error().message});
    for (std::size_t i = 0; i < y.size(); ++i)
        if (!(std::fabs(y[i] - t.y[i]) <= t.tolerance * (1.0f + std::fabs(t.y[i]))))
            return make_error(ErrorCode::test_vector_mismatch, {"test vector output ", i, ": expected ", t.y[i], ", got ", y[i]});
    return Ok{};
}

}  // namespace

namespace detail {

Result<Layout> check_layout(const std::uint8_t* data, std::size_t size) {
    if (data == nullptr) return make_error(ErrorCode::truncated, "file: empty");
    if (size > kMaxModelBytes)
        return make_error(ErrorCode::dimension_too_large, {"file: ", size, " bytes exceeds the cap of ", kMaxModelBytes});
    if (std::memcmp(data, kModelMagic, std::min<std::size_t>(size, sizeof kModelMagic)) != 0)
        return make_error(ErrorCode::bad_magic, "file: not a stockcast model (magic \"STKCAST\" expected)");
    if (size < kModelPrefixBytes + 32)
        return make_error(ErrorCode::truncated, {"file: ", size, " bytes is shorter than the fixed prefix and hash"});
    const std::uint32_t version = read_u32(data + 8);
    if (version < 1 || version > kModelFormatVersion)
        return make_error(ErrorCode::unsupported_version, {"file: format version ", version, ", this build reads versions 1..", kModelFormatVersion});
    Layout layout{version, read_u32(data + 12), 0, read_u64(data + 16)};
    if (layout.header_bytes > kMaxHeaderBytes)
        return make_error(ErrorCode::dimension_too_large, {"file: header length ", layout.header_bytes, " exceeds the cap of ", kMaxHeaderBytes});
    if (layout.data_bytes > kMaxModelBytes)
        return make_error(ErrorCode::dimension_too_large, {"file: data length ", layout.data_bytes, " exceeds the cap of ", kMaxModelBytes});
    layout.data_start = align_up(kModelPrefixBytes + layout.header_bytes);
    const std::uint64_t expected = layout.data_start + layout.data_bytes + 32;
    if (size < expected)
        return make_error(ErrorCode::truncated, {"file: ", size, " bytes, but its lengths declare ", expected});
    if (size > expected)
        return make_error(ErrorCode::bad_header, {"file: ", size - expected, " bytes after the declared end"});
    return layout;
}

std::string_view header_text(const std::uint8_t* data, const Layout& layout) {
    return {reinterpret_cast<const char*>(data + kModelPrefixBytes), layout.header_bytes};
}

Result<Json> parse_header_json(const std::uint8_t* data, const Layout& layout) {
    auto parsed = parse_json(header_text(data, layout));
    if (!parsed) return make_error(ErrorCode::bad_header, {"header: ", parsed.error().message});
    Json header = std::move(parsed.value());
    if (!header.is_object())
        return make_error(ErrorCode::bad_header, {"header: expected a JSON object, got ", header.type_name()});
    std::string format;
    if (Status s = get_string(header, "format", "", format); !s) return s.error();
    if (format != "stockcast-model")
        return make_error(ErrorCode::bad_header, {"header.format: expected \"stockcast-model\", got \"", format, "\""});
    return header;
}

Result<OpenedFile> open_model_file(const std::uint8_t* data, std::size_t size, bool verify_hash) {
    auto layout = check_layout(data, size);
    if (!layout) return layout.error();
    if (verify_hash) {
        const Sha256Digest digest = sha256(data, size - 32);
        if (std::memcmp(digest.data(), data + size - 32, 32) != 0)
            return make_error(ErrorCode::hash_mismatch, "file: SHA-256 of the contents does not match the stored hash");
    }
    auto header = parse_header_json(data, layout.value());
    if (!header) return header.error();
    return OpenedFile{layout.value(), std::move(header.value())};
}

}  // namespace detail

// The header's "architecture" (for_file: with its type and dropout, as the writer stores it).
Json architecture_json(const nn::Architecture& a, bool for_file) {
    Json out;
    if (a.is_transformer()) {
        out = {{"type", "transformer_v1"}, {"window", a.window}, {"features", a.features}, {"d_model", a.d_model},
               {"heads", a.heads}, {"encoder_layers", a.encoder_layers}, {"ff_units", a.ff_units}, {"outputs", a.outputs}};
    } else {
        out = {{"type", "lstm_v1"}, {"window", a.window}, {"features", a.features}, {"lstm_units", a.lstm_units},
               {"dense_units", a.dense_units}, {"outputs", a.outputs}, {"embedding_count", a.embedding_count},
               {"embedding_dim", a.embedding_dim}};
    }
    if (for_file) out["dropout"] = static_cast<double>(a.dropout);
    else if (!a.is_transformer()) out.erase("type");  // the summary's LSTM shape, unchanged
    return out;
}

int Model::stock_id(const std::string& symbol) const {
    auto it = std::find(meta.stocks.begin(), meta.stocks.end(), symbol);
    return it == meta.stocks.end() ? -1 : static_cast<int>(it - meta.stocks.begin());
}

Status load_calibration(Model& model) { return parse_calibration(&model.meta.metrics, model); }

Json model_summary(const Model& model) {
    const nn::Architecture& a = model.net.arch;
    std::size_t parameters = 0;
    for (const auto& t : nn::expected_tensors(a)) parameters += t.count();
    return {
        {"name", model.meta.name}, {"kind", model.meta.kind}, {"version", model.meta.version},
        {"trained_at", model.meta.trained_at}, {"data_from", model.meta.data_from}, {"data_to", model.meta.data_to},
        {"stocks", model.meta.stocks}, {"metrics", model.meta.metrics}, {"parameters", parameters},
        {"architecture", architecture_json(a, false)},
        {"input", {{"features", model.input.features}, {"scale", model.input.scale}}},
        {"output", {{"horizons", model.output.horizons}, {"scale", model.output.scale}}},
        {"intervals", {{"levels", model.intervals.levels}, {"lower", model.intervals.lower}, {"upper", model.intervals.upper}}},
    };
}

Result<std::string_view> model_header_text(const std::uint8_t* data, std::size_t size) {
    auto layout = check_layout(data, size);
    if (!layout) return layout.error();
    return header_text(data, layout.value());
}

Result<Json> read_model_header(const std::uint8_t* data, std::size_t size) {
    auto layout = check_layout(data, size);
    if (!layout) return layout.error();
    return parse_header_json(data, layout.value());
}

Result<Model> parse_model(const std::uint8_t* data, std::size_t size, const ParseOptions& options) {
    auto opened = open_model_file(data, size, options.verify_hash);
    if (!opened) return opened.error();
    const Layout layout = opened.value().layout;
    const Json& header = opened.value().header;

    Model model;
    nn::Architecture arch;
    if (Status s = parse_architecture(header, arch); !s) return s.error();
    if (arch.is_transformer() && layout.version < kTransformerFormatVersion)
        return make_error(ErrorCode::unsupported_version, {"header.architecture.type: transformer_v1 needs format version ", kTransformerFormatVersion, ", the file is version ", layout.version});
    std::vector<TensorEntry> entries;
    if (Status s = parse_tensor_table(header, arch, layout.data_bytes, entries); !s) return s.error();
    model.net = nn::Network::zeros(arch);
    for (auto& ref : model.net.tensors()) {
        auto it = std::find_if(entries.begin(), entries.end(), [&](const TensorEntry& e) { return e.name == ref.name; });
        std::size_t count = 1;
        for (int d : ref.shape) count *= static_cast<std::size_t>(d);
        if (Status s = load_tensor(*it, data + layout.data_start, ref.data, count); !s) return s.error();
    }
    if (Status s = parse_specs(header, model); !s) return s.error();
    if (Status s = parse_meta(header, model); !s) return s.error();
    if (Status s = load_calibration(model); !s) return s.error();
    if (Status s = parse_test_vector(header, model); !s) return s.error();
    if (options.verify_test_vector)
        if (Status s = run_test_vector(model); !s) return s.error();
    return model;
}

std::vector<std::uint8_t> assemble_model_file(const Json& header, const std::vector<std::uint8_t>& data_section,
                                              std::uint32_t version) {
    if (version == 0) version = kLstmFormatVersion;
    const std::string text = json_dump(header);
    const std::uint64_t data_start = align_up(kModelPrefixBytes + text.size());
    std::vector<std::uint8_t> file(static_cast<std::size_t>(data_start) + data_section.size() + 32, 0);
    std::memcpy(file.data(), kModelMagic, sizeof kModelMagic);
    write_u32(file.data() + 8, version);
    write_u32(file.data() + 12, static_cast<std::uint32_t>(text.size()));
    write_u64(file.data() + 16, data_section.size());
    std::memcpy(file.data() + kModelPrefixBytes, text.data(), text.size());
    if (!data_section.empty()) std::memcpy(file.data() + static_cast<std::size_t>(data_start), data_section.data(), data_section.size());
    const Sha256Digest digest = sha256(file.data(), file.size() - 32);
    std::memcpy(file.data() + file.size() - 32, digest.data(), 32);
    return file;
}

Result<std::vector<std::uint8_t>> write_model(const Model& source, Dtype dtype, bool refresh_test_vector) {
    if (Status s = source.net.arch.validate(); !s) return s.error();
    Model model = source;
    // Round weights to the stored precision first, so the test vector matches what loads.
    std::vector<std::uint8_t> data;
    Json tensors = Json::array();
    for (auto& ref : model.net.tensors()) {
        std::size_t count = 1;
        for (int d : ref.shape) count *= static_cast<std::size_t>(d);
        const auto offset = static_cast<std::size_t>(align_up(data.size()));
        data.resize(offset + count * (dtype == Dtype::f32 ? 4 : 2), 0);
        for (std::size_t i = 0; i < count; ++i) {
            if (!std::isfinite(ref.data[i]))
                return make_error(ErrorCode::non_finite, {"tensor ", ref.name, "[", i, "]: not finite"});
            if (dtype == Dtype::f32) {
                std::uint32_t bits;
                std::memcpy(&bits, &ref.data[i], sizeof bits);
                write_u32(data.data() + offset + 4 * i, bits);
            } else {
                const std::uint16_t h = float_to_half(ref.data[i]);
                ref.data[i] = half_to_float(h);
                data[offset + 2 * i] = static_cast<std::uint8_t>(h);
                data[offset + 2 * i + 1] = static_cast<std::uint8_t>(h >> 8);
            }
        }
        tensors.push_back({{"name", ref.name}, {"shape", ref.shape}, {"dtype", dtype == Dtype::f32 ? "f32" : "f16"}, {"offset", offset}});
    }
    data.resize(static_cast<std::size_t>(align_up(data.size())), 0);

    const nn::Architecture& arch = model.net.arch;
    TestVector& tv = model.test_vector;
    if (refresh_test_vector) {
        if (tv.x.empty()) {
            // Two deterministic random-walk windows in the scale of the first feature.
            const int n = 2;
            tv.x.resize(static_cast<std::size_t>(n) * arch.window * arch.features);
            std::uint32_t state = 12345;
            for (float& v : tv.x) {
                state = state * 1664525u + 1013904223u;
                v = (static_cast<float>(state >> 8) / 16777216.0f - 0.5f) * 0.2f;
            }
            tv.stock_ids.clear();
            if (arch.has_embedding()) tv.stock_ids = {0, -1};
        }
        const int n = static_cast<int>(tv.x.size() / (static_cast<std::size_t>(arch.window) * arch.features));
        tv.y.assign(static_cast<std::size_t>(n) * arch.outputs, 0.0f);
        nn::Workspace ws;
        if (Status s = model.net.forward(tv.x.data(), tv.stock_ids.empty() ? nullptr : tv.stock_ids.data(), n, tv.y.data(), ws); !s)
            return s.error();
    }

    auto floats = [](const std::vector<float>& v) {
        Json a = Json::array();
        for (float f : v) a.push_back(static_cast<double>(f));
        return a;
    };
    Json header = {
        {"format", "stockcast-model"},
        {"architecture", architecture_json(arch, true)},
        {"tensors", tensors},
        {"input", {{"features", model.input.features}, {"scale", floats(model.input.scale)}}},
        {"output", {{"target", "log_return"}, {"horizons", model.output.horizons}, {"scale", floats(model.output.scale)}}},
        {"intervals", {{"levels", model.intervals.levels}, {"lower", model.intervals.lower}, {"upper", model.intervals.upper}}},
        {"meta",
         {{"name", model.meta.name}, {"kind", model.meta.kind}, {"version", model.meta.version},
          {"trained_at", model.meta.trained_at}, {"data_from", model.meta.data_from}, {"data_to", model.meta.data_to},
          {"stocks", model.meta.stocks}}},
        {"metrics", model.meta.metrics},
        {"test_vector", {{"x", floats(tv.x)}, {"stock_ids", tv.stock_ids}, {"y", floats(tv.y)},
                         {"tolerance", static_cast<double>(tv.tolerance)}}},
    };
    return assemble_model_file(header, data, arch.is_transformer() ? kTransformerFormatVersion : kLstmFormatVersion);
}

}  // namespace stockcast
