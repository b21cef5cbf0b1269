// Fine-tuning (issue 17): a real NSE series the general model never saw (the FNK25 index),
// typed errors on bad input, cancellation, divergence, and determinism to the byte.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "stockcast/data_files.hpp"
#include "stockcast/model.hpp"
#include "stockcast/train.hpp"
#include "test_support.hpp"

// Internal (core/src/train/trainer.hpp, not on the tests' include path).
namespace stockcast::train::detail {
double fine_tune_head_gradient_check(std::uint64_t seed);
}

using namespace stockcast;
using stockcast::testing::source_path;

namespace {

const Model& general_model() {
    static const Model m = [] {
        auto text = read_text_file(source_path("models/general.stkm"));
        REQUIRE(text);
        auto pm = parse_model(reinterpret_cast<const std::uint8_t*>(text.value().data()), text.value().size());
        REQUIRE(pm);
        return std::move(pm.value());
    }();
    return m;
}

// The last `rows` rows of an NSE index (indices are not among the general model's stocks).
PriceSeries index_tail(const std::string& sym, std::size_t rows) {
    auto p = load_price_csv(source_path("models/data/nse/indices/" + sym + ".csv"), sym);
    REQUIRE(p);
    PriceSeries s = p.value();
    const std::size_t from = s.size() > rows ? s.size() - rows : 0;
    auto tail = [&](auto& v) { v.erase(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(from)); };
    tail(s.dates), tail(s.close), tail(s.low), tail(s.high), tail(s.volume);
    return s;
}

}  // namespace

TEST_CASE("fine-tuning improves the held-out loss on a series the general model never saw", "[finetune]") {
    const Model& g = general_model();
    for (const auto& sym : g.meta.stocks) REQUIRE(sym != "FNK25");
    const PriceSeries s = index_tail("FNK25", 1000);
    std::vector<train::EpochProgress> seen;
    auto r = train::fine_tune(g, s, "MYIDX", {}, [&](const train::EpochProgress& p) { seen.push_back(p); });
    REQUIRE(r);
    const auto& res = r.value();
    CHECK(res.report.best_epoch >= 1);
    CHECK(res.report.best_val_loss < res.report.val_loss[0]);  // [0]: the general model, mean embedding row
    CHECK(seen.size() == static_cast<std::size_t>(res.report.epochs_run));
    CHECK(seen.front().epoch == 1);
    CHECK(res.val_mape < res.val_naive_mape);
    CHECK(res.coverage90 > 0.6);
    CHECK(res.coverage90 <= 1.0);
    CHECK(res.train_windows + res.holdout_windows == 1000 - 59 - 2 * 30);
    CHECK(res.holdout_windows >= static_cast<std::size_t>(train::kFineTuneMinHoldout));
    // the file is a verified stock-specific model under the new name
    auto back = parse_model(res.bytes.data(), res.bytes.size());
    REQUIRE(back);
    CHECK(back.value().meta.name == "MYIDX");
    CHECK(back.value().meta.kind == "stock_specific");
    CHECK(!back.value().net.arch.has_embedding());
    CHECK(back.value().meta.trained_at == s.dates.back());
}

TEST_CASE("fine-tuning is deterministic given the seed", "[finetune]") {
    const PriceSeries s = index_tail("NASI", 600);
    train::FineTuneOptions o;
    o.max_epochs = 6;
    auto a = train::fine_tune(general_model(), s, "A", o);
    auto b = train::fine_tune(general_model(), s, "A", o);
    REQUIRE(a);
    REQUIRE(b);
    CHECK(a.value().bytes == b.value().bytes);
    o.seed = 7;
    auto c = train::fine_tune(general_model(), s, "A", o);
    REQUIRE(c);
    CHECK(c.value().bytes != a.value().bytes);
}

TEST_CASE("fine-tuning rejects bad input with typed errors", "[finetune]") {
    const Model& g = general_model();
    const PriceSeries good = index_tail("NASI", 400);
    const std::size_t need = train::fine_tune_required_rows(g);
    CHECK(need == 59 + 2 * 30 + 64 + 64);  // a 60-close window ends at origin row 59

    SECTION("too short") {
        const PriceSeries s = index_tail("NASI", need - 1);
        auto r = train::fine_tune(g, s, "X", {});
        REQUIRE(!r);
        CHECK(r.error().code == ErrorCode::insufficient_history);
        CHECK(r.error().required == static_cast<long long>(need));
        CHECK(r.error().provided == static_cast<long long>(need - 1));
        train::FineTuneOptions one;
        one.max_epochs = 1;
        CHECK(train::fine_tune(g, index_tail("NASI", need), "X", one));
    }
    SECTION("NaN and non-positive closes") {
        for (double bad : {std::numeric_limits<double>::quiet_NaN(), 0.0, -3.0}) {
            PriceSeries s = good;
            s.close[123] = bad;
            auto r = train::fine_tune(g, s, "X", {});
            REQUIRE(!r);
            CHECK(r.error().code == ErrorCode::invalid_input);
            CHECK(r.error().field == "history.close");
            CHECK(r.error().message.find("row 123") != std::string::npos);
        }
    }
    SECTION("duplicate and unsorted dates") {
        PriceSeries s = good;
        s.dates[50] = s.dates[49];
        auto r = train::fine_tune(g, s, "X", {});
        REQUIRE(!r);
        CHECK(r.error().field == "history.dates");
        CHECK(r.error().message.find("duplicate") != std::string::npos);
        s = good;
        std::swap(s.dates[50], s.dates[51]);
        r = train::fine_tune(g, s, "X", {});
        REQUIRE(!r);
        CHECK(r.error().field == "history.dates");
        CHECK(r.error().message.find("ascending") != std::string::npos);
    }
    SECTION("bad names and a base that is not general") {
        CHECK(train::fine_tune(g, good, "", {}).error().field == "name");
        CHECK(train::fine_tune(g, good, "a b", {}).error().field == "name");
        auto text = read_text_file(source_path("models/SCOM.stkm"));
        REQUIRE(text);
        auto scom = parse_model(reinterpret_cast<const std::uint8_t*>(text.value().data()), text.value().size());
        REQUIRE(scom);
        CHECK(train::fine_tune(scom.value(), good, "X", {}).error().field == "base");
    }
    SECTION("cancelled: checked before every epoch") {
        int epochs = 0;
        auto r = train::fine_tune(g, good, "X", {}, [&](const train::EpochProgress&) { ++epochs; },
                                  [&] { return epochs >= 2; });
        REQUIRE(!r);
        CHECK(r.error().code == ErrorCode::cancelled);
        CHECK(epochs == 2);
        CHECK(std::string(code_category(ErrorCode::cancelled)) == "cancelled");
    }
    SECTION("diverged") {
        train::FineTuneOptions o;
        o.learning_rate = 1e4;
        o.clip_norm = 0;
        auto r = train::fine_tune(g, good, "X", o);
        REQUIRE(!r);
        CHECK(r.error().code == ErrorCode::diverged);
        CHECK(std::string(code_category(ErrorCode::diverged)) == "numerical_error");
    }
}

TEST_CASE("fine-tuning's head gradient matches central differences", "[finetune]") {
    for (std::uint64_t seed : {1u, 2u, 3u, 4u, 5u}) {
        const double err = train::detail::fine_tune_head_gradient_check(seed);
        INFO("seed " << seed << ": " << err);
        CHECK(err < 1e-2);
    }
}
