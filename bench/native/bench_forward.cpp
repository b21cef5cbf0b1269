// Forward-pass benchmark, native: the stock-specific network (60 steps × 1
// input, LSTM 50 → LSTM 50 → Dense 25 → Dense 4), batch 1 and batch 66; median and p95.
//   build/bench_forward [MODEL.stkm]   (default: tests/golden/nn_stock_specific.stkm)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "stockcast/data_files.hpp"
#include "stockcast/model.hpp"

using namespace stockcast;

namespace {

struct Stats {
    double median, p95;
};

template <class Fn>
Stats time_it(Fn fn, int reps) {
    std::vector<double> ms;
    for (int i = 0; i < reps / 10 + 1; ++i) fn();  // warm-up
    for (int i = 0; i < reps; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        fn();
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    return {ms[ms.size() / 2], ms[static_cast<std::size_t>(ms.size() * 0.95)]};
}

}  // namespace

int main(int argc, char** argv) {
    const std::string path = argc > 1 ? argv[1] : std::string(STOCKCAST_BENCH_MODEL);
    auto text = read_text_file(path);
    if (!text) {
        std::fprintf(stderr, "bench_forward: %s\n", text.error().message.c_str());
        return 1;
    }
    auto model = parse_model(reinterpret_cast<const std::uint8_t*>(text.value().data()), text.value().size());
    if (!model) {
        std::fprintf(stderr, "bench_forward: %s\n", model.error().message.c_str());
        return 1;
    }
    const nn::Network& net = model.value().net;
    const int per = net.arch.window * net.arch.features;
    std::vector<float> x(static_cast<std::size_t>(66) * per);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = 0.01f * static_cast<float>(i % 17) - 0.08f;
    std::vector<int> ids(66, 0);
    std::vector<float> y(static_cast<std::size_t>(66) * net.arch.outputs);
    nn::Workspace ws;
    std::printf("%-28s %10s %10s %12s\n", "native forward", "median ms", "p95 ms", "ms/window");
    for (int batch : {1, 66}) {
        const Stats s = time_it([&] { (void)net.forward(x.data(), ids.data(), batch, y.data(), ws); }, batch == 1 ? 2000 : 200);
        std::printf("%-28s %10.4f %10.4f %12.4f\n", ("batch " + std::to_string(batch)).c_str(), s.median, s.p95, s.median / batch);
    }
    return 0;
}
