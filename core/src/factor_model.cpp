// Classical factor models: evaluation, the format version 2 reader (trusts nothing) and writer,
// and the packer's JSON input. See factor_model.hpp and docs/model-format.md.
#include "stockcast/factor_model.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "model_file_detail.hpp"
#include "stockcast/factor_features.hpp"
#include "stockcast/model.hpp"
#include "stockcast/sha256.hpp"

namespace stockcast {
using namespace detail;
namespace {

constexpr const char* kKindNames[] = {"linear", "logistic", "random_forest", "extra_trees", "gradient_boosting", "svr", "mlp"};
constexpr const char* kActivationNames[] = {"identity", "relu", "tanh", "logistic"};

bool kind_from_name(const std::string& name, FactorKind& out) {
    for (int i = 0; i < 7; ++i)
        if (name == kKindNames[i]) return out = static_cast<FactorKind>(i), true;
    return false;
}

bool activation_from_name(const std::string& name, Activation& out) {
    for (int i = 0; i < 4; ++i)
        if (name == kActivationNames[i]) return out = static_cast<Activation>(i), true;
    return false;
}

double sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }

double activate(Activation a, double v) {
    switch (a) {
        case Activation::relu: return v > 0 ? v : 0.0;
        case Activation::tanh: return std::tanh(v);
        case Activation::logistic: return sigmoid(v);
        case Activation::identity: break;
    }
    return v;
}

Error structure_error(std::initializer_list<MessagePiece> message) { return make_error(ErrorCode::bad_structure, message); }

Status check_finite(const std::vector<double>& v, const char* field) {
    for (std::size_t i = 0; i < v.size(); ++i)
        if (!std::isfinite(v[i])) return make_error(ErrorCode::non_finite, {field, "[", i, "]: not a finite number"});
    return Ok{};
}

Status check_finite(double v, const char* field) {
    if (!std::isfinite(v)) return make_error(ErrorCode::non_finite, {field, ": not a finite number"});
    return Ok{};
}

Status validate_trees(const FactorModel& m) {
    const TreeEnsemble& t = m.trees;
    const std::size_t n = t.feature.size();
    if (t.roots.empty()) return structure_error({"trees: the ensemble has no trees"});
    if (t.roots.size() > static_cast<std::size_t>(kMaxTrees) || n > static_cast<std::size_t>(kMaxTreeNodes))
        return make_error(ErrorCode::dimension_too_large, {"trees: ", t.roots.size(), " trees, ", n, " nodes exceed the caps"});
    if (t.threshold.size() != n || t.left.size() != n || t.right.size() != n || t.value.size() != n)
        return make_error(ErrorCode::shape_mismatch, {"trees: node arrays differ in length (", n, " features)"});
    if (t.roots[0] != 0) return structure_error({"trees.roots[0]: expected 0, got ", t.roots[0]});
    for (std::size_t k = 1; k < t.roots.size(); ++k)
        if (t.roots[k] <= t.roots[k - 1] || t.roots[k] >= static_cast<std::int32_t>(n))
            return structure_error({"trees.roots[", k, "]: ", t.roots[k], " is not an increasing node index below ", n});
    if (n == 0) return structure_error({"trees: no nodes"});
    if (Status s = check_finite(t.threshold, "trees.threshold"); !s) return s;
    if (Status s = check_finite(t.value, "trees.value"); !s) return s;
    if (Status s = check_finite(t.learning_rate, "trees.learning_rate"); !s) return s;
    if (Status s = check_finite(t.init, "trees.init"); !s) return s;
    if (!(t.learning_rate > 0)) return make_error(ErrorCode::bad_header, {"trees.learning_rate: expected > 0, got ", t.learning_rate});
    for (std::size_t k = 0; k < t.roots.size(); ++k) {
        const std::int64_t begin = t.roots[k];
        const std::int64_t end = k + 1 < t.roots.size() ? t.roots[k + 1] : static_cast<std::int64_t>(n);
        for (std::int64_t i = begin; i < end; ++i) {
            const std::int32_t l = t.left[static_cast<std::size_t>(i)], r = t.right[static_cast<std::size_t>(i)];
            if (l == -1 && r == -1) continue;  // leaf
            for (std::int32_t c : {l, r}) {
                if (c < begin || c >= end)
                    return structure_error({"tree ", k, " node ", i, ": child index ", c, " outside the tree's nodes ", begin, "..", end - 1});
                if (c <= i) return structure_error({"tree ", k, " node ", i, ": child ", c, " does not come after its parent (a cycle)"});
            }
            const std::int32_t f = t.feature[static_cast<std::size_t>(i)];
            if (f < 0 || f >= m.feature_count())
                return structure_error({"tree ", k, " node ", i, ": feature index ", f, " outside 0..", m.feature_count() - 1});
        }
    }
    return Ok{};
}

Status validate_mlp(const FactorModel& m) {
    if (m.layers.empty()) return structure_error({"mlp: no layers"});
    if (m.layers.size() > static_cast<std::size_t>(kMaxMlpLayers))
        return make_error(ErrorCode::dimension_too_large, {"mlp: ", m.layers.size(), " layers exceed the cap of ", kMaxMlpLayers});
    int in = m.feature_count();
    for (std::size_t k = 0; k < m.layers.size(); ++k) {
        const DenseLayer& l = m.layers[k];
        if (l.out < 1 || l.out > kMaxMlpUnits)
            return make_error(l.out > kMaxMlpUnits ? ErrorCode::dimension_too_large : ErrorCode::bad_structure, {"mlp layer ", k, ": ", l.out, " units outside 1..", kMaxMlpUnits});
        if (l.in != in) return make_error(ErrorCode::shape_mismatch, {"mlp layer ", k, ": expected ", in, " inputs, got ", l.in});
        if (l.kernel.size() != static_cast<std::size_t>(l.in) * static_cast<std::size_t>(l.out) || l.bias.size() != static_cast<std::size_t>(l.out))
            return make_error(ErrorCode::shape_mismatch, {"mlp layer ", k, ": kernel/bias sizes disagree with ", l.in, "x", l.out});
        if (Status s = check_finite(l.kernel, "mlp.kernel"); !s) return s;
        if (Status s = check_finite(l.bias, "mlp.bias"); !s) return s;
        in = l.out;
    }
    if (in != 1) return make_error(ErrorCode::shape_mismatch, {"mlp: the last layer has ", in, " outputs, expected 1"});
    return Ok{};
}

}  // namespace

const char* factor_kind_name(FactorKind kind) { return kKindNames[static_cast<int>(kind)]; }

bool is_tree_kind(FactorKind kind) {
    return kind == FactorKind::random_forest || kind == FactorKind::extra_trees || kind == FactorKind::gradient_boosting;
}

Status validate_factor_model(const FactorModel& m) {
    const std::size_t d = m.features.size();
    if (d < 1 || d > static_cast<std::size_t>(kMaxFactorFeatures))
        return make_error(d > 0 ? ErrorCode::dimension_too_large : ErrorCode::bad_header, {"input.features: expected 1..", kMaxFactorFeatures, " names, got ", d});
    for (std::size_t k = 0; k < d; ++k) {
        if (!is_factor_feature(m.features[k]))
            return make_error(ErrorCode::unknown_architecture, {"input.features: unknown factor feature \"", m.features[k], "\""});
        for (std::size_t j = 0; j < k; ++j)
            if (m.features[j] == m.features[k]) return make_error(ErrorCode::bad_header, {"input.features: \"", m.features[k], "\" appears twice"});
    }
    if (m.min.size() != d || m.max.size() != d) return make_error(ErrorCode::shape_mismatch, {"input.min/max: expected ", d, " values each"});
    if (Status s = check_finite(m.min, "input.min"); !s) return s;
    if (Status s = check_finite(m.max, "input.max"); !s) return s;
    for (std::size_t k = 0; k < d; ++k)
        if (m.min[k] > m.max[k]) return make_error(ErrorCode::bad_header, {"input: min > max for feature \"", m.features[k], "\""});
    if (!(m.range_margin >= 0 && m.range_margin <= 10)) return make_error(ErrorCode::bad_header, "input.range_margin: expected 0..10");
    if (!m.scaler_mean.empty() || !m.scaler_scale.empty()) {
        if (m.scaler_mean.size() != d || m.scaler_scale.size() != d)
            return make_error(ErrorCode::shape_mismatch, {"input.scaler: expected ", d, " means and scales"});
        if (Status s = check_finite(m.scaler_mean, "input.scaler.mean"); !s) return s;
        if (Status s = check_finite(m.scaler_scale, "input.scaler.scale"); !s) return s;
        for (double v : m.scaler_scale)
            if (!(v > 0)) return make_error(ErrorCode::bad_header, {"input.scaler.scale: expected values > 0, got ", v});
    }
    if (Status s = check_finite(m.output_scale, "output.scale"); !s) return s;
    if (Status s = check_finite(m.output_offset, "output.offset"); !s) return s;
    if (m.output_scale == 0) return make_error(ErrorCode::bad_header, "output.scale: expected a non-zero number");
    if (m.is_classifier() != (m.classes.size() == 2) || (!m.is_classifier() && !m.classes.empty()))
        return make_error(ErrorCode::bad_header, {"output.classes: a ", factor_kind_name(m.kind), " model has ", m.is_classifier() ? "two classes" : "none"});
    switch (m.kind) {
        case FactorKind::linear:
        case FactorKind::logistic:
            if (m.coef.size() != d) return make_error(ErrorCode::shape_mismatch, {"coef: expected ", d, " values, got ", m.coef.size()});
            if (Status s = check_finite(m.coef, "coef"); !s) return s;
            return check_finite(m.intercept, "intercept");
        case FactorKind::random_forest:
        case FactorKind::extra_trees:
        case FactorKind::gradient_boosting: return validate_trees(m);
        case FactorKind::svr: {
            const std::size_t n = m.dual_coef.size();
            if (n == 0) return structure_error({"svr: no support vectors"});
            if (n > static_cast<std::size_t>(kMaxSupportVectors))
                return make_error(ErrorCode::dimension_too_large, {"svr: ", n, " support vectors exceed the cap of ", kMaxSupportVectors});
            if (m.support_vectors.size() != n * d)
                return make_error(ErrorCode::shape_mismatch, {"svr.support_vectors: expected ", n * d, " values, got ", m.support_vectors.size()});
            if (Status s = check_finite(m.support_vectors, "svr.support_vectors"); !s) return s;
            if (Status s = check_finite(m.dual_coef, "svr.dual_coef"); !s) return s;
            if (Status s = check_finite(m.intercept, "intercept"); !s) return s;
            if (!(m.gamma > 0 && std::isfinite(m.gamma))) return make_error(ErrorCode::bad_header, {"svr.gamma: expected a finite number > 0, got ", m.gamma});
            return Ok{};
        }
        case FactorKind::mlp: return validate_mlp(m);
    }
    return Ok{};
}

double evaluate_factor_model(const FactorModel& m, const double* x, std::vector<double>& scratch) {
    const std::size_t d = m.features.size();
    if (is_tree_kind(m.kind)) {
        // Raw inputs, compared as scikit-learn does: the input cast to float32 against a double threshold.
        const TreeEnsemble& t = m.trees;
        const bool boosting = m.kind == FactorKind::gradient_boosting;
        double sum = boosting ? t.init : 0.0;
        for (std::int32_t root : t.roots) {
            std::int32_t i = root;
            while (t.left[static_cast<std::size_t>(i)] != -1) {
                const auto u = static_cast<std::size_t>(i);
                const double v = static_cast<double>(static_cast<float>(x[t.feature[u]]));
                i = v <= t.threshold[u] ? t.left[u] : t.right[u];
            }
            sum += boosting ? t.learning_rate * t.value[static_cast<std::size_t>(i)] : t.value[static_cast<std::size_t>(i)];
        }
        const double raw = boosting ? sum : sum / static_cast<double>(t.roots.size());
        return raw * m.output_scale + m.output_offset;
    }
    // Standardised inputs in scratch[0..d).
    scratch.resize(d);
    for (std::size_t k = 0; k < d; ++k)
        scratch[k] = m.scaler_mean.empty() ? x[k] : (x[k] - m.scaler_mean[k]) / m.scaler_scale[k];
    const double* z = scratch.data();
    double raw = 0;
    switch (m.kind) {
        case FactorKind::linear:
        case FactorKind::logistic: {
            double s = 0;
            for (std::size_t k = 0; k < d; ++k) s += z[k] * m.coef[k];
            s += m.intercept;
            return m.kind == FactorKind::logistic ? sigmoid(s) : s * m.output_scale + m.output_offset;
        }
        case FactorKind::svr: {
            // libsvm: sum_i coef_i · exp(−gamma · |z − sv_i|²) − rho, with intercept = −rho.
            const std::size_t n = m.dual_coef.size();
            double s = 0;
            for (std::size_t i = 0; i < n; ++i) {
                const double* sv = m.support_vectors.data() + i * d;
                double dist = 0;
                for (std::size_t k = 0; k < d; ++k) {
                    const double diff = z[k] - sv[k];
                    dist += diff * diff;
                }
                s += m.dual_coef[i] * std::exp(-m.gamma * dist);
            }
            raw = s + m.intercept;
            break;
        }
        case FactorKind::mlp: {
            // scratch: [z (d) | a (max units) | b (max units)], ping-ponged across layers.
            std::size_t widest = 1;
            for (const DenseLayer& l : m.layers) widest = std::max(widest, static_cast<std::size_t>(l.out));
            scratch.resize(d + 2 * widest);
            const double* in = scratch.data();
            double* bufs[2] = {scratch.data() + d, scratch.data() + d + widest};
            int which = 0;
            for (const DenseLayer& l : m.layers) {
                double* out = bufs[which];
                for (int j = 0; j < l.out; ++j) out[j] = 0;
                for (int i = 0; i < l.in; ++i) {
                    const double a = in[i];
                    const double* row = l.kernel.data() + static_cast<std::size_t>(i) * static_cast<std::size_t>(l.out);
                    for (int j = 0; j < l.out; ++j) out[j] += a * row[j];
                }
                for (int j = 0; j < l.out; ++j) out[j] = activate(l.activation, out[j] + l.bias[static_cast<std::size_t>(j)]);
                in = out;
                which ^= 1;
            }
            raw = in[0];
            break;
        }
        default: break;
    }
    return raw * m.output_scale + m.output_offset;
}

Result<FactorPrediction> predict_factors(const FactorModel& m, const std::vector<double>& x, bool clamp, std::vector<double>& scratch) {
    const std::size_t d = m.features.size();
    if (x.size() != d) {
        Error e = input_error("features", {"expected ", d, " values (", m.features.size() ? m.features[0] : "", d > 1 ? ", …" : "", "), got ", x.size()});
        return e;
    }
    FactorPrediction p;
    std::vector<double> row(x);
    for (std::size_t k = 0; k < d; ++k) {
        const std::string field = "features." + m.features[k];
        if (!std::isfinite(row[k])) return input_error(field, {"expected a finite number, got ", row[k]});
        if (row[k] < m.min[k] || row[k] > m.max[k]) {
            if (!clamp) {
                Error e = make_error(ErrorCode::out_of_range, {field, ": ", row[k], " is outside the model's range [", m.min[k], ", ", m.max[k], "]"});
                e.field = field;
                e.value = row[k];
                e.min = m.min[k];
                e.max = m.max[k];
                return e;
            }
            p.clamped.push_back(FactorClamp{field, row[k], m.min[k], m.max[k]});
            row[k] = std::min(m.max[k], std::max(m.min[k], row[k]));
        }
    }
    p.value = evaluate_factor_model(m, row.data(), scratch);
    if (m.is_classifier()) {
        p.probabilities = {1.0 - p.value, p.value};
        p.label = m.classes[p.value > 0.5 ? 1 : 0];
    }
    return p;
}

// ------------------------------------------------------------------------------------- reader
namespace {

enum class Elem { real, index };

struct Expected {
    std::string name;
    std::vector<std::uint64_t> shape;
    Elem elem;
    double* reals = nullptr;
    std::int32_t* ints = nullptr;
};

struct Counts {
    long long features = 0, trees = 0, nodes = 0, support_vectors = 0;
    std::vector<int> units;  // mlp
};

Status parse_architecture(const Json& header, FactorModel& m, Counts& c) {
    const Json* a = json_find(header, "architecture");
    if (a == nullptr || !a->is_object()) return header_error("architecture", "an object", a);
    std::string type;
    if (Status s = get_string(*a, "type", "architecture.", type); !s) return s;
    if (!kind_from_name(type, m.kind))
        return make_error(ErrorCode::unknown_architecture, {"header.architecture.type: \"", type, "\" is not a factor model kind"});
    if (Status s = get_int(*a, "features", "architecture.", 1, kMaxFactorFeatures, c.features); !s) return s;
    auto real = [&](const char* key, double& out) -> Status {
        const Json* v = json_find(*a, key);
        if (v == nullptr || !v->is_number()) return header_error(std::string("architecture.") + key, "a number", v);
        out = v->get<double>();
        return Ok{};
    };
    switch (m.kind) {
        case FactorKind::linear:
        case FactorKind::logistic: return real("intercept", m.intercept);
        case FactorKind::random_forest:
        case FactorKind::extra_trees:
        case FactorKind::gradient_boosting:
            if (Status s = get_int(*a, "trees", "architecture.", 0, kMaxTrees, c.trees); !s) return s;
            if (Status s = get_int(*a, "nodes", "architecture.", 0, kMaxTreeNodes, c.nodes); !s) return s;
            if (m.kind != FactorKind::gradient_boosting) return Ok{};
            if (Status s = real("learning_rate", m.trees.learning_rate); !s) return s;
            return real("init", m.trees.init);
        case FactorKind::svr:
            if (Status s = get_int(*a, "support_vectors", "architecture.", 0, kMaxSupportVectors, c.support_vectors); !s) return s;
            if (Status s = real("gamma", m.gamma); !s) return s;
            return real("intercept", m.intercept);
        case FactorKind::mlp: {
            if (Status s = get_numbers(*a, "layers", "architecture.", kMaxMlpLayers, c.units); !s) return s;
            if (c.units.empty()) return structure_error({"header.architecture.layers: no layers"});
            for (int u : c.units)
                if (u < 1 || u > kMaxMlpUnits)
                    return make_error(u > kMaxMlpUnits ? ErrorCode::dimension_too_large : ErrorCode::bad_header, {"header.architecture.layers: ", u, " units outside 1..", kMaxMlpUnits});
            std::string act, out_act;
            if (Status s = get_string(*a, "activation", "architecture.", act); !s) return s;
            if (Status s = get_string(*a, "output_activation", "architecture.", out_act); !s) return s;
            Activation hidden, last;
            if (!activation_from_name(act, hidden) || !activation_from_name(out_act, last))
                return make_error(ErrorCode::unknown_architecture, {"header.architecture: unknown activation \"", act, "\" / \"", out_act, "\""});
            m.layers.clear();
            int in = static_cast<int>(c.features);
            for (std::size_t k = 0; k < c.units.size(); ++k) {
                DenseLayer l;
                l.in = in;
                l.out = c.units[k];
                l.activation = k + 1 == c.units.size() ? last : hidden;
                m.layers.push_back(std::move(l));
                in = c.units[k];
            }
            return Ok{};
        }
    }
    return Ok{};
}

std::vector<Expected> expected_tensors(FactorModel& m, const Counts& c) {
    const auto d = static_cast<std::uint64_t>(c.features);
    std::vector<Expected> e;
    switch (m.kind) {
        case FactorKind::linear:
        case FactorKind::logistic: e.push_back({"coef", {d}, Elem::real}); break;
        case FactorKind::random_forest:
        case FactorKind::extra_trees:
        case FactorKind::gradient_boosting: {
            const auto t = static_cast<std::uint64_t>(c.trees), n = static_cast<std::uint64_t>(c.nodes);
            e.push_back({"tree.roots", {t}, Elem::index});
            e.push_back({"tree.feature", {n}, Elem::index});
            e.push_back({"tree.threshold", {n}, Elem::real});
            e.push_back({"tree.left", {n}, Elem::index});
            e.push_back({"tree.right", {n}, Elem::index});
            e.push_back({"tree.value", {n}, Elem::real});
            break;
        }
        case FactorKind::svr: {
            const auto n = static_cast<std::uint64_t>(c.support_vectors);
            e.push_back({"svr.support_vectors", {n, d}, Elem::real});
            e.push_back({"svr.dual_coef", {n}, Elem::real});
            break;
        }
        case FactorKind::mlp:
            for (std::size_t k = 0; k < m.layers.size(); ++k) {
                const std::string p = cat({"mlp.", k, "."});
                e.push_back({p + "kernel", {static_cast<std::uint64_t>(m.layers[k].in), static_cast<std::uint64_t>(m.layers[k].out)}, Elem::real});
                e.push_back({p + "bias", {static_cast<std::uint64_t>(m.layers[k].out)}, Elem::real});
            }
            break;
    }
    return e;
}

// Where each expected tensor's values go once the table is checked.
void bind_destinations(FactorModel& m, std::vector<Expected>& e) {
    for (Expected& x : e) {
        std::uint64_t count = 1;
        for (auto s : x.shape) count *= s;
        const auto n = static_cast<std::size_t>(count);
        if (x.elem == Elem::index) {
            std::vector<std::int32_t>& v = x.name == "tree.roots" ? m.trees.roots : x.name == "tree.feature" ? m.trees.feature
                                         : x.name == "tree.left" ? m.trees.left : m.trees.right;
            v.assign(n, 0);
            x.ints = v.data();
            continue;
        }
        std::vector<double>* v = nullptr;
        if (x.name == "coef") v = &m.coef;
        else if (x.name == "tree.threshold") v = &m.trees.threshold;
        else if (x.name == "tree.value") v = &m.trees.value;
        else if (x.name == "svr.support_vectors") v = &m.support_vectors;
        else if (x.name == "svr.dual_coef") v = &m.dual_coef;
        else {
            std::size_t k = 0;  // "mlp.K.kernel" / "mlp.K.bias", names this file made
            for (std::size_t i = 4; i < x.name.size() && x.name[i] != '.'; ++i) k = k * 10 + static_cast<std::size_t>(x.name[i] - '0');
            v = x.name.back() == 'l' ? &m.layers[k].kernel : &m.layers[k].bias;
        }
        v->assign(n, 0.0);
        x.reals = v->data();
    }
}

struct Entry {
    std::size_t expected;
    std::string dtype;
    std::uint64_t offset, bytes;
};

Status parse_tensors(const Json& header, std::vector<Expected>& expected, std::uint64_t data_bytes, std::vector<Entry>& entries) {
    const Json* t = json_find(header, "tensors");
    if (t == nullptr || !t->is_array()) return header_error("tensors", "an array", t);
    if (t->size() > static_cast<std::size_t>(kMaxTensors))
        return make_error(ErrorCode::dimension_too_large, {"header.tensors: at most ", kMaxTensors, " tensors, got ", t->size()});
    entries.clear();
    std::vector<bool> seen(expected.size(), false);
    for (std::size_t i = 0; i < t->size(); ++i) {
        const Json& e = (*t)[i];
        const std::string path = cat({"tensors[", i, "]."});
        std::string name, dtype;
        if (Status s = get_string(e, "name", path, name); !s) return s;
        if (Status s = get_string(e, "dtype", path, dtype); !s) return s;
        std::vector<long long> shape;
        if (Status s = get_numbers(e, "shape", path, 4, shape); !s) return s;
        long long offset = 0;
        if (Status s = get_int(e, "offset", path, 0, static_cast<long long>(kMaxModelBytes), offset); !s) return s;
        std::size_t k = 0;
        while (k < expected.size() && expected[k].name != name) ++k;
        if (k == expected.size())
            return make_error(ErrorCode::unexpected_tensor, {"header.", path, "name: \"", name, "\" is not a tensor of this model"});
        if (seen[k]) return make_error(ErrorCode::unexpected_tensor, {"header.", path, "name: \"", name, "\" appears twice"});
        seen[k] = true;
        const Expected& x = expected[k];
        const bool ok_dtype = x.elem == Elem::index ? dtype == "i32" : (dtype == "f64" || dtype == "f32");
        if (!ok_dtype)
            return make_error(ErrorCode::bad_header, {"header.", path, "dtype: \"", dtype, "\" is not allowed for ", name, x.elem == Elem::index ? " (i32)" : " (f64 or f32)"});
        bool same = shape.size() == x.shape.size();
        for (std::size_t j = 0; same && j < shape.size(); ++j) same = shape[j] >= 0 && static_cast<std::uint64_t>(shape[j]) == x.shape[j];
        if (!same) return make_error(ErrorCode::shape_mismatch, {"tensor ", name, ": its shape disagrees with the architecture"});
        std::uint64_t count = 1;
        for (auto s : x.shape) count *= s;  // each factor is capped (≤ 2^21 · 64): no overflow
        Entry entry{k, dtype, static_cast<std::uint64_t>(offset), count * (dtype == "f64" ? 8u : 4u)};
        if (entry.offset % kTensorAlignment != 0)
            return make_error(ErrorCode::tensor_misaligned, {"tensor ", name, ": offset ", entry.offset, " is not a multiple of ", kTensorAlignment});
        if (entry.offset > data_bytes || entry.bytes > data_bytes - entry.offset)
            return make_error(ErrorCode::tensor_out_of_bounds, {"tensor ", name, ": bytes ", entry.offset, "..", entry.offset + entry.bytes, " exceed the data section of ", data_bytes, " bytes"});
        entries.push_back(entry);
    }
    for (std::size_t k = 0; k < expected.size(); ++k)
        if (!seen[k]) return make_error(ErrorCode::missing_tensor, {"tensor ", expected[k].name, ": missing from the file"});
    for (std::size_t i = 1; i < entries.size(); ++i)
        for (std::size_t j = i; j > 0 && entries[j].offset < entries[j - 1].offset; --j) std::swap(entries[j], entries[j - 1]);
    for (std::size_t i = 1; i < entries.size(); ++i)
        if (entries[i - 1].offset + entries[i - 1].bytes > entries[i].offset)
            return make_error(ErrorCode::tensor_overlap, {"tensors ", expected[entries[i - 1].expected].name, " and ", expected[entries[i].expected].name, " overlap"});
    return Ok{};
}

Status load_tensor(const Entry& entry, const Expected& x, const std::uint8_t* data) {
    const std::uint8_t* src = data + entry.offset;
    if (x.elem == Elem::index) {
        const std::size_t n = static_cast<std::size_t>(entry.bytes / 4);
        for (std::size_t i = 0; i < n; ++i) x.ints[i] = static_cast<std::int32_t>(read_u32(src + 4 * i));
        return Ok{};
    }
    const bool f64 = entry.dtype == "f64";
    const std::size_t n = static_cast<std::size_t>(entry.bytes / (f64 ? 8 : 4));
    for (std::size_t i = 0; i < n; ++i) {
        double v;
        if (f64) {
            const std::uint64_t bits = read_u64(src + 8 * i);
            std::memcpy(&v, &bits, sizeof v);
        } else {
            const std::uint32_t bits = read_u32(src + 4 * i);
            float f;
            std::memcpy(&f, &bits, sizeof f);
            v = f;
        }
        if (!std::isfinite(v)) return make_error(ErrorCode::non_finite, {"tensor ", x.name, "[", i, "]: not a finite number"});
        x.reals[i] = v;
    }
    return Ok{};
}

Status get_real(const Json& obj, const char* key, const std::string& path, double& out, bool required = true) {
    const Json* v = json_find(obj, key);
    if (v == nullptr && !required) return Ok{};
    if (v == nullptr || !v->is_number()) return header_error(path + key, "a number", v);
    out = v->get<double>();
    return Ok{};
}

Status get_strings(const Json& obj, const char* key, const std::string& path, std::size_t max_len, std::vector<std::string>& out) {
    const Json* v = json_find(obj, key);
    out.clear();
    if (v == nullptr || !v->is_array()) return header_error(path + key, "an array of strings", v);
    if (v->size() > max_len) return make_error(ErrorCode::dimension_too_large, {"header.", path, key, ": at most ", max_len, " names, got ", v->size()});
    for (const Json& s : *v) {
        if (!s.is_string()) return header_error(path + key + "[]", "a string", &s);
        out.push_back(s.get<std::string>());
    }
    return Ok{};
}

Status parse_io(const Json& header, FactorModel& m, const Counts& c) {
    const Json* in = json_find(header, "input");
    if (in == nullptr || !in->is_object()) return header_error("input", "an object", in);
    const auto d = static_cast<std::size_t>(c.features);
    if (Status s = get_strings(*in, "features", "input.", kMaxFactorFeatures, m.features); !s) return s;
    if (Status s = check_length("input.features", d, m.features.size()); !s) return s;
    if (Status s = get_numbers(*in, "min", "input.", d, m.min); !s) return s;
    if (Status s = get_numbers(*in, "max", "input.", d, m.max); !s) return s;
    if (Status s = get_real(*in, "range_margin", "input.", m.range_margin); !s) return s;
    m.scaler_mean.clear();
    m.scaler_scale.clear();
    if (const Json* sc = json_find(*in, "scaler"); sc != nullptr && !sc->is_null()) {
        if (!sc->is_object()) return header_error("input.scaler", "an object or null", sc);
        if (Status s = get_numbers(*sc, "mean", "input.scaler.", d, m.scaler_mean); !s) return s;
        if (Status s = get_numbers(*sc, "scale", "input.scaler.", d, m.scaler_scale); !s) return s;
    }
    const Json* out = json_find(header, "output");
    if (out == nullptr || !out->is_object()) return header_error("output", "an object", out);
    if (Status s = get_string(*out, "target", "output.", m.target); !s) return s;
    if (Status s = get_string(*out, "definition", "output.", m.target_definition); !s) return s;
    m.classes.clear();
    if (json_find(*out, "classes"))
        if (Status s = get_strings(*out, "classes", "output.", 2, m.classes); !s) return s;
    if (Status s = get_real(*out, "scale", "output.", m.output_scale); !s) return s;
    if (Status s = get_real(*out, "offset", "output.", m.output_offset); !s) return s;
    long long h = 0;
    if (json_find(*out, "horizon"))
        if (Status s = get_int(*out, "horizon", "output.", 0, kMaxHorizon, h); !s) return s;
    m.horizon = static_cast<int>(h);

    const Json* meta = json_find(header, "meta");
    if (meta == nullptr || !meta->is_object()) return header_error("meta", "an object", meta);
    std::string kind;
    if (Status s = get_string(*meta, "kind", "meta.", kind); !s) return s;
    if (kind != "factor") return make_error(ErrorCode::bad_header, {"header.meta.kind: expected \"factor\", got \"", kind, "\""});
    if (Status s = get_string(*meta, "name", "meta.", m.name); !s) return s;
    if (Status s = get_string(*meta, "version", "meta.", m.version); !s) return s;
    if (Status s = get_string(*meta, "trained_at", "meta.", m.trained_at, false); !s) return s;
    if (Status s = get_string(*meta, "data_from", "meta.", m.data_from, false); !s) return s;
    if (Status s = get_string(*meta, "data_to", "meta.", m.data_to, false); !s) return s;
    const Json* metrics = json_find(header, "metrics");
    m.metrics = metrics != nullptr && metrics->is_object() ? *metrics : Json::object();

    const Json* tv = json_find(header, "test_vector");
    if (tv == nullptr || !tv->is_object()) return header_error("test_vector", "an object", tv);
    if (Status s = get_numbers(*tv, "x", "test_vector.", d * kMaxFactorTestRows, m.test_x); !s) return s;
    if (m.test_x.empty() || m.test_x.size() % d != 0)
        return make_error(ErrorCode::shape_mismatch, {"header.test_vector.x: expected a multiple of ", d, " values, got ", m.test_x.size()});
    if (Status s = get_numbers(*tv, "y", "test_vector.", kMaxFactorTestRows, m.test_y); !s) return s;
    if (Status s = check_length("test_vector.y", m.test_x.size() / d, m.test_y.size()); !s) return s;
    if (Status s = get_real(*tv, "tolerance", "test_vector.", m.test_tolerance); !s) return s;
    if (!(m.test_tolerance > 0 && m.test_tolerance <= 1e-2))
        return make_error(ErrorCode::bad_header, {"header.test_vector.tolerance: expected (0, 0.01], got ", m.test_tolerance});
    return Ok{};
}

Status run_test_vector(const FactorModel& m) {
    std::vector<double> scratch;
    const std::size_t d = m.features.size();
    for (std::size_t r = 0; r < m.test_y.size(); ++r) {
        const double y = evaluate_factor_model(m, m.test_x.data() + r * d, scratch);
        if (!(std::fabs(y - m.test_y[r]) <= m.test_tolerance * (1.0 + std::fabs(m.test_y[r]))))
            return make_error(ErrorCode::test_vector_mismatch, {"test vector row ", r, ": expected ", m.test_y[r], ", got ", y});
    }
    return Ok{};
}

}  // namespace

Result<FactorModel> parse_factor_model(const std::uint8_t* data, std::size_t size, const FactorParseOptions& options) {
    auto opened = open_model_file(data, size, options.verify_hash);
    if (!opened) return opened.error();
    const Layout layout = opened.value().layout;
    const Json& header = opened.value().header;
    if (layout.version < 2)
        return make_error(ErrorCode::unsupported_version, {"file: format version ", layout.version, " holds LSTM networks only; factor models are version 2"});
    FactorModel m;
    Counts counts;
    if (Status s = parse_architecture(header, m, counts); !s) return s.error();
    std::vector<Expected> expected = expected_tensors(m, counts);
    std::vector<Entry> entries;
    if (Status s = parse_tensors(header, expected, layout.data_bytes, entries); !s) return s.error();
    bind_destinations(m, expected);  // sizes checked against the data section: allocation is bounded by the file
    for (const Entry& e : entries)
        if (Status s = load_tensor(e, expected[e.expected], data + layout.data_start); !s) return s.error();
    if (Status s = parse_io(header, m, counts); !s) return s.error();
    if (Status s = validate_factor_model(m); !s) return s.error();
    if (options.verify_test_vector)
        if (Status s = run_test_vector(m); !s) return s.error();
    return m;
}

// ------------------------------------------------------------------------------------- writer
Result<std::vector<std::uint8_t>> write_factor_model(const FactorModel& source, bool refresh_test_vector) {
    if (Status s = validate_factor_model(source); !s) return s.error();
    FactorModel m = source;
    const std::size_t d = m.features.size();
    if (refresh_test_vector) {
        if (m.test_x.empty()) {
            // Three rows: the ranges' lower ends, midpoints and upper ends.
            for (int r = 0; r < 3; ++r)
                for (std::size_t k = 0; k < d; ++k) m.test_x.push_back(m.min[k] + (m.max[k] - m.min[k]) * r / 2.0);
        }
        if (m.test_x.size() % d != 0 || m.test_x.size() / d > static_cast<std::size_t>(kMaxFactorTestRows))
            return make_error(ErrorCode::shape_mismatch, {"test_x: expected 1..", kMaxFactorTestRows, " rows of ", d, " values"});
        m.test_y.clear();
        std::vector<double> scratch;
        for (std::size_t r = 0; r < m.test_x.size() / d; ++r) m.test_y.push_back(evaluate_factor_model(m, m.test_x.data() + r * d, scratch));
    }
    std::vector<std::uint8_t> data;
    Json tensors = Json::array();
    auto put_reals = [&](const std::string& name, const std::vector<double>& v, std::vector<std::uint64_t> shape) {
        const auto offset = static_cast<std::size_t>(align_up(data.size()));
        data.resize(offset + 8 * v.size(), 0);
        for (std::size_t i = 0; i < v.size(); ++i) {
            std::uint64_t bits;
            std::memcpy(&bits, &v[i], sizeof bits);
            write_u64(data.data() + offset + 8 * i, bits);
        }
        tensors.push_back({{"name", name}, {"shape", shape}, {"dtype", "f64"}, {"offset", offset}});
    };
    auto put_ints = [&](const std::string& name, const std::vector<std::int32_t>& v) {
        const auto offset = static_cast<std::size_t>(align_up(data.size()));
        data.resize(offset + 4 * v.size(), 0);
        for (std::size_t i = 0; i < v.size(); ++i) write_u32(data.data() + offset + 4 * i, static_cast<std::uint32_t>(v[i]));
        tensors.push_back({{"name", name}, {"shape", {v.size()}}, {"dtype", "i32"}, {"offset", offset}});
    };
    Json arch = {{"type", factor_kind_name(m.kind)}, {"features", d}};
    switch (m.kind) {
        case FactorKind::linear:
        case FactorKind::logistic:
            arch["intercept"] = m.intercept;
            put_reals("coef", m.coef, {d});
            break;
        case FactorKind::random_forest:
        case FactorKind::extra_trees:
        case FactorKind::gradient_boosting:
            arch["trees"] = m.trees.roots.size();
            arch["nodes"] = m.trees.feature.size();
            if (m.kind == FactorKind::gradient_boosting) {
                arch["learning_rate"] = m.trees.learning_rate;
                arch["init"] = m.trees.init;
            }
            put_ints("tree.roots", m.trees.roots);
            put_ints("tree.feature", m.trees.feature);
            put_reals("tree.threshold", m.trees.threshold, {m.trees.threshold.size()});
            put_ints("tree.left", m.trees.left);
            put_ints("tree.right", m.trees.right);
            put_reals("tree.value", m.trees.value, {m.trees.value.size()});
            break;
        case FactorKind::svr:
            arch["support_vectors"] = m.dual_coef.size();
            arch["gamma"] = m.gamma;
            arch["intercept"] = m.intercept;
            put_reals("svr.support_vectors", m.support_vectors, {m.dual_coef.size(), d});
            put_reals("svr.dual_coef", m.dual_coef, {m.dual_coef.size()});
            break;
        case FactorKind::mlp: {
            Json units = Json::array();
            for (std::size_t k = 0; k < m.layers.size(); ++k) {
                const DenseLayer& l = m.layers[k];
                units.push_back(l.out);
                put_reals(cat({"mlp.", k, ".kernel"}), l.kernel, {static_cast<std::uint64_t>(l.in), static_cast<std::uint64_t>(l.out)});
                put_reals(cat({"mlp.", k, ".bias"}), l.bias, {static_cast<std::uint64_t>(l.out)});
            }
            arch["layers"] = units;
            arch["activation"] = kActivationNames[static_cast<int>(m.layers.front().activation)];
            arch["output_activation"] = kActivationNames[static_cast<int>(m.layers.back().activation)];
            if (m.layers.size() > 1)
                for (std::size_t k = 0; k + 1 < m.layers.size(); ++k)
                    if (m.layers[k].activation != m.layers.front().activation)
                        return make_error(ErrorCode::bad_header, "mlp: every hidden layer must share one activation");
            break;
        }
    }
    data.resize(static_cast<std::size_t>(align_up(data.size())), 0);
    Json input = {{"features", m.features}, {"min", m.min}, {"max", m.max}, {"range_margin", m.range_margin}};
    input["scaler"] = m.scaler_mean.empty() ? Json(nullptr) : Json{{"mean", m.scaler_mean}, {"scale", m.scaler_scale}};
    Json output = {{"target", m.target}, {"definition", m.target_definition}, {"scale", m.output_scale}, {"offset", m.output_offset}};
    if (!m.classes.empty()) output["classes"] = m.classes;
    if (m.horizon > 0) output["horizon"] = m.horizon;
    Json header = {
        {"format", "stockcast-model"},
        {"architecture", arch},
        {"tensors", tensors},
        {"input", input},
        {"output", output},
        {"meta", {{"name", m.name}, {"kind", "factor"}, {"version", m.version}, {"trained_at", m.trained_at},
                  {"data_from", m.data_from}, {"data_to", m.data_to}}},
        {"metrics", m.metrics},
        {"test_vector", {{"x", m.test_x}, {"y", m.test_y}, {"tolerance", m.test_tolerance}}},
    };
    return assemble_model_file(header, data, 2);
}

// ------------------------------------------------------------------------------------- pack input
Result<FactorModel> factor_model_from_json(const Json& doc) {
    if (!doc.is_object()) return make_error(ErrorCode::bad_header, "pack input: expected a JSON object");
    FactorModel m;
    std::string kind;
    if (Status s = get_string(doc, "kind", "", kind); !s) return s.error();
    if (!kind_from_name(kind, m.kind)) return make_error(ErrorCode::unknown_architecture, {"kind: \"", kind, "\" is not a factor model kind"});
    const std::size_t big = static_cast<std::size_t>(kMaxTreeNodes);
    if (Status s = get_strings(doc, "features", "", kMaxFactorFeatures, m.features); !s) return s.error();
    const std::size_t d = m.features.size();
    if (Status s = get_numbers(doc, "min", "", d, m.min); !s) return s.error();
    if (Status s = get_numbers(doc, "max", "", d, m.max); !s) return s.error();
    if (Status s = get_real(doc, "range_margin", "", m.range_margin); !s) return s.error();
    if (const Json* sc = json_find(doc, "scaler"); sc != nullptr && !sc->is_null()) {
        if (Status s = get_numbers(*sc, "mean", "scaler.", d, m.scaler_mean); !s) return s.error();
        if (Status s = get_numbers(*sc, "scale", "scaler.", d, m.scaler_scale); !s) return s.error();
    }
    if (Status s = get_string(doc, "target", "", m.target); !s) return s.error();
    if (Status s = get_string(doc, "definition", "", m.target_definition); !s) return s.error();
    if (json_find(doc, "classes"))
        if (Status s = get_strings(doc, "classes", "", 2, m.classes); !s) return s.error();
    if (Status s = get_real(doc, "output_scale", "", m.output_scale, false); !s) return s.error();
    if (Status s = get_real(doc, "output_offset", "", m.output_offset, false); !s) return s.error();
    long long h = 0;
    if (json_find(doc, "horizon"))
        if (Status s = get_int(doc, "horizon", "", 0, kMaxHorizon, h); !s) return s.error();
    m.horizon = static_cast<int>(h);
    switch (m.kind) {
        case FactorKind::linear:
        case FactorKind::logistic:
            if (Status s = get_numbers(doc, "coef", "", d, m.coef); !s) return s.error();
            if (Status s = get_real(doc, "intercept", "", m.intercept); !s) return s.error();
            break;
        case FactorKind::random_forest:
        case FactorKind::extra_trees:
        case FactorKind::gradient_boosting: {
            const Json* t = json_find(doc, "trees");
            if (t == nullptr || !t->is_object()) return header_error("trees", "an object", t);
            if (Status s = get_numbers(*t, "roots", "trees.", static_cast<std::size_t>(kMaxTrees), m.trees.roots); !s) return s.error();
            if (Status s = get_numbers(*t, "feature", "trees.", big, m.trees.feature); !s) return s.error();
            if (Status s = get_numbers(*t, "threshold", "trees.", big, m.trees.threshold); !s) return s.error();
            if (Status s = get_numbers(*t, "left", "trees.", big, m.trees.left); !s) return s.error();
            if (Status s = get_numbers(*t, "right", "trees.", big, m.trees.right); !s) return s.error();
            if (Status s = get_numbers(*t, "value", "trees.", big, m.trees.value); !s) return s.error();
            if (m.kind == FactorKind::gradient_boosting) {
                if (Status s = get_real(*t, "learning_rate", "trees.", m.trees.learning_rate); !s) return s.error();
                if (Status s = get_real(*t, "init", "trees.", m.trees.init); !s) return s.error();
            }
            break;
        }
        case FactorKind::svr:
            if (Status s = get_numbers(doc, "support_vectors", "", big * 4, m.support_vectors); !s) return s.error();
            if (Status s = get_numbers(doc, "dual_coef", "", static_cast<std::size_t>(kMaxSupportVectors), m.dual_coef); !s) return s.error();
            if (Status s = get_real(doc, "gamma", "", m.gamma); !s) return s.error();
            if (Status s = get_real(doc, "intercept", "", m.intercept); !s) return s.error();
            break;
        case FactorKind::mlp: {
            const Json* layers = json_find(doc, "layers");
            if (layers == nullptr || !layers->is_array()) return header_error("layers", "an array", layers);
            if (layers->size() > static_cast<std::size_t>(kMaxMlpLayers))
                return make_error(ErrorCode::dimension_too_large, {"layers: at most ", kMaxMlpLayers});
            for (std::size_t k = 0; k < layers->size(); ++k) {
                const Json& lj = (*layers)[k];
                DenseLayer l;
                long long in = 0, out = 0;
                const std::string path = cat({"layers[", k, "]."});
                if (Status s = get_int(lj, "in", path, 1, kMaxMlpUnits, in); !s) return s.error();
                if (Status s = get_int(lj, "out", path, 1, kMaxMlpUnits, out); !s) return s.error();
                l.in = static_cast<int>(in);
                l.out = static_cast<int>(out);
                if (Status s = get_numbers(lj, "kernel", path, static_cast<std::size_t>(in * out), l.kernel); !s) return s.error();
                if (Status s = get_numbers(lj, "bias", path, static_cast<std::size_t>(out), l.bias); !s) return s.error();
                std::string act;
                if (Status s = get_string(lj, "activation", path, act); !s) return s.error();
                if (!activation_from_name(act, l.activation)) return make_error(ErrorCode::unknown_architecture, {path, "activation: \"", act, "\""});
                m.layers.push_back(std::move(l));
            }
            break;
        }
    }
    if (const Json* meta = json_find(doc, "meta"); meta != nullptr && meta->is_object()) {
        if (Status s = get_string(*meta, "name", "meta.", m.name); !s) return s.error();
        if (Status s = get_string(*meta, "version", "meta.", m.version, false); !s) return s.error();
        if (Status s = get_string(*meta, "trained_at", "meta.", m.trained_at, false); !s) return s.error();
        if (Status s = get_string(*meta, "data_from", "meta.", m.data_from, false); !s) return s.error();
        if (Status s = get_string(*meta, "data_to", "meta.", m.data_to, false); !s) return s.error();
    } else {
        return header_error("meta", "an object", meta);
    }
    if (const Json* metrics = json_find(doc, "metrics"); metrics != nullptr && metrics->is_object()) m.metrics = *metrics;
    if (json_find(doc, "test_x"))
        if (Status s = get_numbers(doc, "test_x", "", d * kMaxFactorTestRows, m.test_x); !s) return s.error();
    if (Status s = validate_factor_model(m); !s) return s.error();
    return m;
}

Json factor_model_summary(const FactorModel& m) {
    Json features = Json::array();
    for (std::size_t k = 0; k < m.features.size(); ++k)
        features.push_back({{"name", m.features[k]}, {"min", m.min[k]}, {"max", m.max[k]}});
    Json size = Json::object();
    if (is_tree_kind(m.kind)) size = {{"trees", m.trees.roots.size()}, {"nodes", m.trees.feature.size()}};
    else if (m.kind == FactorKind::svr) size = {{"support_vectors", m.dual_coef.size()}};
    else if (m.kind == FactorKind::mlp) {
        Json units = Json::array();
        for (const auto& l : m.layers) units.push_back(l.out);
        size = {{"layers", units}};
    }
    Json out = {{"name", m.name}, {"kind", factor_kind_name(m.kind)}, {"target", m.target}, {"definition", m.target_definition},
                {"features", features}, {"range_margin", m.range_margin}, {"metrics", m.metrics}, {"size", size},
                {"version", m.version}, {"trained_at", m.trained_at}, {"data_from", m.data_from}, {"data_to", m.data_to}};
    if (!m.classes.empty()) out["classes"] = m.classes;
    if (m.horizon > 0) out["horizon"] = m.horizon;
    return out;
}

}  // namespace stockcast
