// What the WebAssembly bindings call, natively: LoadedModel (the object JavaScript holds), the
// error value it hands over, yyyymmdd date columns, and the risk engine's in-memory entry point.
#include <catch2/catch.hpp>

#include "risk_test_util.hpp"
#include "stockcast/error_view.hpp"
#include "stockcast/loaded_model.hpp"
#include "stockcast/risk/columns.hpp"
#include "stockcast/risk/json_api.hpp"
#include "test_support.hpp"

using namespace stockcast;

TEST_CASE("LoadedModel: forward matches the golden outputs; bad calls are typed errors; live count", "[wasm]") {
    const int live0 = LoadedModel::live();
    const auto bytes = testing::file_bytes("tests/golden/nn_general.stkm");
    const testing::Golden g = testing::load_golden("nn_general.json");
    {
        LoadedModel m(bytes.data(), bytes.size(), true);
        CHECK(LoadedModel::live() == live0 + 1);
        REQUIRE(m.error() == nullptr);
        CHECK(m.header().front() == '{');
        auto y = m.forward(g.x, g.stock_ids, g.batch);
        REQUIRE(y.ok());
        REQUIRE(y.value()->size() == g.y.size());
        for (std::size_t i = 0; i < g.y.size(); ++i) CHECK(std::abs((*y.value())[i] - g.y[i]) <= 1e-5);

        CHECK(m.forward(std::vector<float>(59), {0}, 1).error().field == "x");
        CHECK(m.forward(std::vector<float>(120), {0}, 2).error().field == "stockIds");
        const std::vector<double> closes(300, 10.0);
        CHECK(m.predict(closes, std::vector<double>(299, 1.0), 0, 0.9).error().field == "volumes");
        auto few = m.predict(std::vector<double>(10, 10.0), {}, 0, 0.9);
        REQUIRE_FALSE(few.ok());
        const ErrorView v = error_view(few.error());
        CHECK(v.code == "insufficient_history");
        CHECK(v.required > 10);
        CHECK(v.provided == 10);
        CHECK(m.predict_batch(closes, {}, {0, 300}, {0, 1}, 0.9).error().field == "offsets");
        CHECK(m.predict_batch(closes, {}, {0, 301}, {0}, 0.9).error().field == "offsets");
        auto batch = m.predict_batch(std::vector<double>(310, 10.0), {}, {0, 300, 310}, {0, 1}, 0.9);
        REQUIRE(batch.ok());
        CHECK(batch.value()[0].ok());
        CHECK(batch.value()[1].error().code == ErrorCode::insufficient_history);
        auto one = m.predict(closes, {}, 0, 0.9);
        REQUIRE(one.ok());
        CHECK(one.value().horizons.size() == batch.value()[0].value().horizons.size());
        CHECK(one.value().horizons[0].price == batch.value()[0].value().horizons[0].price);
    }
    CHECK(LoadedModel::live() == live0);

    // A file the parser rejects: an object whose calls all answer that error.
    const auto bad = testing::file_bytes("tests/hostile/bad_magic.stkm");
    LoadedModel m(bad.data(), bad.size(), true);
    REQUIRE(m.error() != nullptr);
    CHECK(std::string(code_name(m.error()->code)) == "bad_magic");
    CHECK(error_view(*m.error()).code == "format_error");
    CHECK(m.forward(std::vector<float>(60), {0}, 1).error().code == ErrorCode::bad_magic);
    CHECK(m.predict(std::vector<double>(300, 1.0), {}, 0, 0.9).error().code == ErrorCode::bad_magic);
}

TEST_CASE("risk date columns: yyyymmdd numbers become the core's date strings", "[wasm][risk]") {
    CHECK(risk::date_text(20210630) == "2021-06-30");
    CHECK(risk::date_text(19990101) == "1999-01-01");
    CHECK(risk::date_text(101) == "0000-01-01");
    CHECK(risk::date_text(20211345) == "2021-13-45");  // the readers reject it, naming the value
    CHECK(risk::date_text(-1).empty());
    CHECK(risk::date_text(100000000).empty());
    CHECK(risk::date_texts({20200102, 20200103}) == std::vector<std::string>{"2020-01-02", "2020-01-03"});
}

TEST_CASE("risk_report_dom answers what risk_report_json wraps", "[wasm][risk]") {
    const auto close = risk_test::garch_walk(400, 5);
    const Json req = {{"symbol", "TEST"}, {"dates", risk_test::make_dates(400)}, {"closes", close}};
    auto dom = risk::risk_report_dom(req);
    REQUIRE(dom.ok());
    auto text = parse_json(risk::risk_report_json(json_dump(req)));
    REQUIRE(text.ok());
    CHECK(text.value()["ok"] == true);
    CHECK(text.value()["report"] == dom.value());
    auto bad = risk::risk_report_dom(Json::array());
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().code == ErrorCode::invalid_input);
    auto shortr = risk::optimize_portfolio_dom(Json{{"assets", Json::array()}});
    REQUIRE_FALSE(shortr.ok());
    CHECK(shortr.error().code == ErrorCode::invalid_input);
}
