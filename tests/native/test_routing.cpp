// The one routing rule (routing.hpp), over every symbol of the shipped manifest and unknown ones.
#include <catch2/catch.hpp>

#include "stockcast/backtest.hpp"
#include "stockcast/routing.hpp"
#include "test_support.hpp"

using namespace stockcast;

namespace {

RouteTable shipped_routes() {
    auto m = load_manifest(testing::source_path("models/manifest.json"));
    REQUIRE(m.ok());
    return m.value().routes();
}

}  // namespace

TEST_CASE("route: every listed symbol is served by its manifest entry, stock-specific ones with the general fallback", "[routing]") {
    auto m = load_manifest(testing::source_path("models/manifest.json"));
    REQUIRE(m.ok());
    const RouteTable table = m.value().routes();
    REQUIRE(table.stocks.size() == 66);
    REQUIRE(table.general_file == "general.stkm");
    int specific = 0;
    for (const ManifestStock& s : m.value().stocks) {
        for (bool has_history : {false, true}) {
            auto r = route(table, s.symbol, has_history);
            REQUIRE(r.ok());
            CHECK(r.value().symbol == s.symbol);
            CHECK(r.value().file == s.file);
            CHECK(r.value().model_type == s.model_type);
            CHECK(r.value().fallback_file == (s.model_type == "stock_specific" ? "general.stkm" : ""));
        }
        specific += s.model_type == "stock_specific";
    }
    CHECK(specific == 15);
}

TEST_CASE("route: symbols compare without regard to case", "[routing]") {
    const RouteTable table = shipped_routes();
    auto r = route(table, "scom", false);
    REQUIRE(r.ok());
    CHECK(r.value().symbol == "SCOM");
    CHECK(r.value().model_type == "stock_specific");
}

TEST_CASE("route: an unknown symbol is general_unseen with a history, model_not_found with a suggestion without", "[routing]") {
    const RouteTable table = shipped_routes();
    auto seen = route(table, "ACME", true);
    REQUIRE(seen.ok());
    CHECK(seen.value().file == "general.stkm");
    CHECK(seen.value().model_type == "general_unseen");
    CHECK(seen.value().fallback_file.empty());

    auto missing = route(table, "SCOMM", false);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == ErrorCode::model_not_found);
    CHECK(std::string(code_category(missing.error().code)) == "model_not_found");
    CHECK(missing.error().field == "symbol");
    CHECK(missing.error().message == "no model serves SCOMM (pass its price history to use the general model); did you mean SCOM?");
    CHECK(closest_symbol(table, "eqty1") == "EQTY");
    CHECK(closest_symbol(table, "KPLC-P") == "KPLC-P4");  // a prefix counts half a step closer
    CHECK(closest_symbol(table, "KPLC-P5") == "KPLC-P4");  // ties (KPLC-P7) go to the earlier listed symbol

    RouteTable no_general = table;
    no_general.general_file.clear();
    auto unseen = route(no_general, "ACME", true);
    REQUIRE_FALSE(unseen.ok());
    CHECK(unseen.error().code == ErrorCode::model_not_found);
    CHECK(route(no_general, "SCOM", false).value().fallback_file == "general.stkm");  // the entry's own fallback
    no_general.stocks = {{"ACME", "ACME.stkm", "stock_specific", ""}};
    CHECK(route(no_general, "ACME", false).value().fallback_file.empty());
    no_general.general_file = "general.stkm";
    CHECK(route(no_general, "ACME", false).value().fallback_file == "general.stkm");
    CHECK(closest_symbol(RouteTable{}, "ACME").empty());
}

TEST_CASE("served_model_type: a general model without the symbol's embedding row serves it as general_unseen", "[routing]") {
    CHECK(served_model_type("stock_specific", false, -1) == "stock_specific");
    CHECK(served_model_type("general", true, 3) == "general");
    CHECK(served_model_type("general", true, -1) == "general_unseen");
    CHECK(served_model_type("general_unseen", true, 3) == "general");
    CHECK(served_model_type("general_unseen", true, -1) == "general_unseen");
    CHECK(std::string(confidence_of("stock_specific")) == "high");
    CHECK(std::string(confidence_of("general")) == "medium");
    CHECK(std::string(confidence_of("general_unseen")) == "low");
}

TEST_CASE("route_table: parallel columns become entries, missing cells empty", "[routing]") {
    const RouteTable t = route_table({"SCOM", "KCB"}, {"SCOM.stkm", "general.stkm"}, {"stock_specific", "general"}, {}, "general.stkm");
    REQUIRE(t.stocks.size() == 2);
    CHECK(t.stocks[1].symbol == "KCB");
    CHECK(t.stocks[1].file == "general.stkm");
    CHECK(t.stocks[0].fallback_file.empty());
    CHECK(route(t, "SCOM", false).value().fallback_file == "general.stkm");
    CHECK(route_table({"A"}, {}, {}, {}, "").stocks[0].file.empty());
}
