// Helpers shared by the native tests: golden files and small valid models.
#pragma once

#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "stockcast/data_files.hpp"
#include "stockcast/json.hpp"
#include "stockcast/model.hpp"

namespace stockcast::testing {

inline std::string source_path(const std::string& relative) { return std::string(STOCKCAST_SOURCE_DIR) + "/" + relative; }

// The parsed file, or null when it cannot be read or parsed.
inline Json load_json(const std::string& relative) {
    auto text = read_text_file(source_path(relative));
    if (!text) return Json();
    auto doc = parse_json(text.value());
    return doc ? std::move(doc.value()) : Json();
}

// A committed file's bytes (fails the test when it cannot be read).
inline std::vector<std::uint8_t> file_bytes(const std::string& relative) {
    auto text = read_text_file(source_path(relative));
    REQUIRE(text.ok());
    return std::vector<std::uint8_t>(text.value().begin(), text.value().end());
}

// A golden file of scripts/golden_nn.py: architecture + Keras-layout weights + inputs + PyTorch outputs.
struct Golden {
    nn::Network net;
    std::vector<float> x, y;
    std::vector<int> stock_ids;
    int batch = 0;
};

inline Golden load_golden(const std::string& name) {
    const Json doc = load_json("tests/golden/" + name);
    Golden g;
    nn::Architecture arch;
    const auto& a = doc["architecture"];
    arch.window = a["window"].get<int>();
    arch.features = a["features"].get<int>();
    arch.outputs = a["outputs"].get<int>();
    if (a.value("type", "") == "transformer_v1") {  // scripts/golden_transformer.py
        arch.type = nn::ArchType::transformer;
        arch.lstm_units.clear();
        arch.dense_units = 0;
        arch.d_model = a["d_model"].get<int>();
        arch.heads = a["heads"].get<int>();
        arch.encoder_layers = a["encoder_layers"].get<int>();
        arch.ff_units = a["ff_units"].get<int>();
    } else {
        arch.lstm_units = a["lstm_units"].get<std::vector<int>>();
        arch.dense_units = a["dense_units"].get<int>();
        arch.embedding_count = a["embedding_count"].get<int>();
        arch.embedding_dim = a["embedding_dim"].get<int>();
    }
    g.net = nn::Network::zeros(arch);
    for (auto& t : g.net.tensors()) {
        const auto values = doc["weights"][t.name]["values"].get<std::vector<float>>();
        std::copy(values.begin(), values.end(), t.data);
    }
    for (const auto& row : doc["x"])
        for (const auto& v : row) g.x.push_back(v.get<float>());
    for (const auto& row : doc["y"])
        for (const auto& v : row) g.y.push_back(v.get<float>());
    g.stock_ids = doc["stock_ids"].get<std::vector<int>>();
    g.batch = static_cast<int>(doc["x"].size());
    return g;
}

// A complete model around a network (metadata filled with plausible values).
// The network's outputs (batch × outputs) for `batch` windows x; ids one per window, or empty.
inline std::vector<float> run(const nn::Network& net, const std::vector<float>& x, const std::vector<int>& ids, int batch) {
    std::vector<float> y(static_cast<std::size_t>(batch) * net.arch.outputs);
    nn::Workspace ws;
    REQUIRE(net.forward(x.data(), ids.empty() ? nullptr : ids.data(), batch, y.data(), ws).ok());
    return y;
}

// `net` over a golden file's windows (its weights may differ from the golden network's).
inline std::vector<float> run(const nn::Network& net, const Golden& g) { return run(net, g.x, g.stock_ids, g.batch); }

inline double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
    double d = 0;
    for (std::size_t i = 0; i < a.size(); ++i) d = std::max(d, static_cast<double>(std::fabs(a[i] - b[i])));
    return d;
}

inline Model make_model(const nn::Network& net, const std::string& name = "TEST") {
    Model m;
    m.net = net;
    m.meta.name = name;
    m.meta.kind = net.arch.is_transformer() ? "transformer" : net.arch.has_embedding() ? "general" : "stock_specific";
    m.meta.trained_at = "2026-11-22";
    m.meta.data_from = "2008-01-01";
    m.meta.data_to = "2020-06-30";
    for (int i = 0; i < net.arch.embedding_count; ++i) m.meta.stocks.push_back("S" + std::to_string(i));
    m.input.features.assign(static_cast<std::size_t>(net.arch.features), "log_close_rel_last");
    m.input.scale.assign(static_cast<std::size_t>(net.arch.features), 10.0f);
    m.output.horizons.clear();
    m.output.scale.clear();
    const int horizons[] = {1, 5, 10, 30, 60, 90, 120, 250};
    for (int o = 0; o < net.arch.outputs; ++o) {
        m.output.horizons.push_back(horizons[o % 8] + 250 * (o / 8));
        m.output.scale.push_back(0.05f);
    }
    for (int o = 0; o < net.arch.outputs; ++o) {
        m.intervals.lower.push_back({-0.02, -0.03, -0.04});
        m.intervals.upper.push_back({0.02, 0.03, 0.04});
    }
    return m;
}

}  // namespace stockcast::testing
