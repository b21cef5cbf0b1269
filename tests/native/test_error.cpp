#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "stockcast/error.hpp"

using namespace stockcast;

TEST_CASE("number_text: six significant digits, scientific form below 1e-4 and from 1e9, no printf", "[error]") {
    CHECK(number_text(0.0) == "0");
    CHECK(number_text(-1.5) == "-1.5");
    CHECK(number_text(0.0123) == "0.0123");
    CHECK(number_text(3.14159265) == "3.14159");
    CHECK(number_text(123456.789) == "123457");
    CHECK(number_text(12345678.0) == "12345678");
    CHECK(number_text(1.5e9) == "1.5e+9");
    CHECK(number_text(9.99e-5) == "9.99e-5");
    CHECK(number_text(2.5e-300) == "2.5e-300");
    CHECK(number_text(1.7e308) == "1.7e+308");
    // The smallest subnormal needs 323 scalings by ten, not a power that underflows.
    CHECK(number_text(std::numeric_limits<double>::denorm_min()) == "4.94066e-324");
    CHECK(number_text(std::nan("")) == "nan");
    CHECK(number_text(-std::numeric_limits<double>::infinity()) == "-inf");
}

TEST_CASE("cat joins text and numbers; the error helpers fill their fields", "[error]") {
    const std::string name = "SCOM";
    CHECK(cat({"tensor ", name, "[", std::size_t{3}, "]: ", -2, " / ", 18446744073709551615ull, " / ", 0.25}) ==
          "tensor SCOM[3]: -2 / 18446744073709551615 / 0.25");
    const Error in = input_error("history.close", {"value ", 7, " must be > 0"});
    CHECK(in.code == ErrorCode::invalid_input);
    CHECK(in.field == "history.close");
    CHECK(in.message == "history.close: value 7 must be > 0");
    const Error h = history_error("history", 61, 12);
    CHECK(h.code == ErrorCode::insufficient_history);
    CHECK((h.required == 61 && h.provided == 12));
    CHECK(h.message == "history: requires 61 closes, provided 12");
}
