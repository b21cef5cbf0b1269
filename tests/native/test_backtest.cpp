// Backtest on a tiny folder of real price files: routing, actual values, naive MAPE recomputed here.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <unistd.h>

#include "stockcast/backtest.hpp"
#include "stockcast/sha256.hpp"
#include "stockcast/train.hpp"

using namespace stockcast;
namespace fs = std::filesystem;

namespace {

Model small_model(bool general) {
    nn::Architecture a;
    a.window = 60;
    a.features = 1;
    a.lstm_units = {6, 5};
    a.dense_units = 4;
    a.outputs = 4;
    Model m;
    if (general) {
        a.embedding_count = 2;
        a.embedding_dim = 2;
        m.meta.kind = "general";
        m.meta.name = "general";
        m.meta.stocks = {"SCOM", "KCB"};
    } else {
        m.meta.name = "SCOM";
    }
    m.input.scale = {5.0f};
    m.output.scale = {0.01f, 0.02f, 0.03f, 0.05f};
    m.net = train::init_network(a, 5);
    for (int h = 0; h < 4; ++h) {
        m.intervals.lower.push_back({-0.02, -0.03, -0.04});
        m.intervals.upper.push_back({0.02, 0.03, 0.04});
    }
    return m;
}

std::string write_bytes(const fs::path& p, const std::vector<std::uint8_t>& b) {
    std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
    return to_hex(sha256(b.data(), b.size()));
}

// Independent CSV read: date -> close, in file order.
std::vector<std::pair<std::string, double>> read_closes(const fs::path& p) {
    std::ifstream in(p);
    std::string line;
    std::getline(in, line);
    std::vector<std::pair<std::string, double>> out;
    while (std::getline(in, line)) {
        std::stringstream ss(line);
        std::string date, low, high, close;
        std::getline(ss, date, ',');
        std::getline(ss, low, ',');
        std::getline(ss, high, ',');
        std::getline(ss, close, ',');
        out.emplace_back(date, std::stod(close));
    }
    return out;
}

}  // namespace

TEST_CASE("backtest over real price files", "[backtest]") {
    const fs::path src = fs::path(STOCKCAST_SOURCE_DIR) / "models/data/nse/prices";
    const fs::path dir = fs::temp_directory_path() / ("stockcast_bt_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir / "prices");
    for (const char* s : {"SCOM", "KCB", "BOC"}) fs::copy_file(src / (std::string(s) + ".csv"), dir / "prices" / (std::string(s) + ".csv"));
    const std::string sha_s = write_bytes(dir / "SCOM.stkm", write_model(small_model(false), Dtype::f32).value());
    const std::string sha_g = write_bytes(dir / "general.stkm", write_model(small_model(true), Dtype::f16).value());
    {
        std::ofstream mf(dir / "manifest.json");
        mf << R"({"format_version":1,"models":[{"file":"general.stkm","kind":"general","sha256":")" << sha_g
           << R"("},{"file":"SCOM.stkm","kind":"stock_specific","sha256":")" << sha_s << R"("}],
             "stocks":[{"symbol":"SCOM","file":"SCOM.stkm","model_type":"stock_specific","sha256":")" << sha_s
           << R"("},{"symbol":"KCB","file":"general.stkm","model_type":"general","sha256":")" << sha_g << R"("}]})";
    }
    BacktestConfig cfg;
    cfg.manifest_path = (dir / "manifest.json").string();
    cfg.prices_dir = (dir / "prices").string();
    cfg.from = "2021-05-03";
    cfg.to = "2021-06-30";  // the files end 2021-06-30: long horizons run off the end
    auto r = run_backtest(cfg);
    REQUIRE(r.ok());
    const auto& rows = r.value().rows;
    REQUIRE_FALSE(rows.empty());

    std::map<std::string, std::string> type;
    std::map<int, std::pair<double, int>> naive_scom;  // horizon -> (sum APE, n)
    for (const char* s : {"SCOM", "KCB", "BOC"}) {
        const auto closes = read_closes(dir / "prices" / (std::string(s) + ".csv"));
        std::map<std::string, std::size_t> row_of;
        for (std::size_t i = 0; i < closes.size(); ++i) row_of[closes[i].first] = i;
        std::size_t expected = 0;
        for (std::size_t i = 0; i < closes.size(); ++i)
            if (closes[i].first >= cfg.from && closes[i].first <= cfg.to)
                for (int h : {1, 5, 10, 30}) expected += i + h < closes.size() ? 1 : 0;
        std::size_t got = 0;
        for (const auto& row : rows) {
            if (row.symbol != s) continue;
            ++got;
            type[s] = row.model_type;
            const std::size_t i = row_of.at(row.origin);
            REQUIRE(i + row.horizon < closes.size());
            CHECK(row.close == closes[i].second);
            CHECK(row.actual == closes[i + row.horizon].second);
            CHECK(row.lower < row.predicted);
            CHECK(row.predicted < row.upper);
            // The realised move's class, recomputed here: log return beyond ±0.005·√h.
            const double r = std::log(row.actual / row.close), tau = 0.005 * std::sqrt(double(row.horizon));
            CHECK(row.actual_direction == (r > tau ? "bullish" : r < -tau ? "bearish" : "neutral"));
            CHECK((row.direction == "bullish" || row.direction == "neutral" || row.direction == "bearish"));
            if (std::string(s) == "SCOM") {
                auto& a = naive_scom[row.horizon];
                a.first += std::abs(closes[i].second - closes[i + row.horizon].second) / closes[i + row.horizon].second;
                a.second += 1;
            }
        }
        CHECK(got == expected);
    }
    CHECK(type["SCOM"] == "stock_specific");
    CHECK(type["KCB"] == "general");
    CHECK(type["BOC"] == "general_unseen");

    // summary over SCOM alone reproduces the naive MAPE computed here
    std::vector<BacktestRow> scom;
    for (const auto& row : rows)
        if (row.symbol == "SCOM") scom.push_back(row);
    for (const auto& s : summarize_backtest(scom)) {
        const auto& a = naive_scom.at(s.horizon);
        CHECK(s.median_naive_mape == Approx(100.0 * a.first / a.second));
        CHECK(s.symbols == 1);
    }

    // CSV round trip of the header
    REQUIRE(write_backtest_csv(rows, (dir / "bt.csv").string()).ok());
    std::ifstream csv(dir / "bt.csv");
    std::string header;
    std::getline(csv, header);
    CHECK(header == "symbol,origin,horizon,close,predicted,lower90,upper90,actual,model_type,direction,actual_direction");

    // a tampered model file is refused
    {
        std::fstream f(dir / "SCOM.stkm", std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(100);
        f.put('x');
    }
    auto bad = run_backtest(cfg);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().code == ErrorCode::hash_mismatch);
    fs::remove_all(dir);
}

TEST_CASE("backtest argument errors", "[backtest]") {
    BacktestConfig cfg;
    cfg.manifest_path = "/nonexistent/manifest.json";
    cfg.prices_dir = "/nonexistent";
    cfg.from = "2021-01-01";
    cfg.to = "2020-01-01";
    CHECK_FALSE(run_backtest(cfg).ok());
    cfg.to = "2021-02-01";
    CHECK_FALSE(run_backtest(cfg).ok());
}
