// Forward pass of nn::Network compiled to WebAssembly, checked and timed under Node: the
// kernels of core/src/nn_kernels.cpp against a plain double-precision reference of the same
// network (random ±0.5 weights, ±0.2 inputs), batch == one window at a time bit for bit,
// repeatability, odd layer sizes (tails), the LSTM cell's activations over a dense grid of
// all floats, then batch 1 and batch 66 timings of LSTM 50 → 50 → Dense 25 → Dense 4.
// Build and run from the repository root, with the shipped WASM flags for the kernels:
//   export NODE_PATH=/usr/share/nodejs; mkdir -p build-kern
//   F="-std=c++17 -fno-exceptions -msimd128 -Icore/include -Icore/src -isystem /usr/include/eigen3 -DEIGEN_NO_DEBUG -DEIGEN_MPL2_ONLY"
//   em++ $F -O3 -sINLINING_LIMIT=0 -c core/src/nn.cpp -o build-kern/nn.o
//   em++ $F -O3 -sINLINING_LIMIT=0 -c core/src/nn_kernels.cpp -o build-kern/nn_kernels.o
//   em++ $F -Oz -c core/src/error.cpp -o build-kern/error.o
//   em++ $F -O2 -c bench/wasm/bench_nn.cpp -o build-kern/bench_nn.o
//   em++ -Oz -msimd128 -sENVIRONMENT=node -sALLOW_MEMORY_GROWTH=1 -sWASM_ASYNC_COMPILATION=0 build-kern/{nn,nn_kernels,error,bench_nn}.o -o build-kern/bench_nn.cjs
//   node build-kern/bench_nn.cjs [--exhaustive]   (--exhaustive: every float through the cell, minutes)
// (.cjs and synchronous compilation: the package is "type": "module", and Emscripten 3.1.6's
// loader would fetch() the .wasm path under Node 20.) Exit status 1 if a check fails. It also
// builds natively (g++ -O2 -march=native ... core/src/{nn,nn_kernels,error}.cpp), where batch ==
// single holds only to rounding (Eigen's GEMM).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "nn_kernels.hpp"
#include "stockcast/nn.hpp"

#if defined(__EMSCRIPTEN__)
#include <emscripten.h>
#endif

using namespace stockcast;

namespace {

#if defined(__wasm_simd128__)
constexpr bool kBitIdentical = true;
#else
constexpr bool kBitIdentical = false;
#endif

bool g_failed = false;

void check(bool ok, const std::string& what) {
    if (!ok) {
        std::printf("FAIL: %s\n", what.c_str());
        g_failed = true;
    }
}

std::mt19937 g_rng(20240611);

float uniform(float lo, float hi) { return std::uniform_real_distribution<float>(lo, hi)(g_rng); }

nn::Network random_network(const nn::Architecture& arch) {
    nn::Network net = nn::Network::zeros(arch);
    for (nn::Network::TensorRef& t : net.tensors()) {
        std::size_t n = 1;
        for (int d : t.shape) n *= static_cast<std::size_t>(d);
        for (std::size_t i = 0; i < n; ++i) t.data[i] = uniform(-0.5f, 0.5f);
    }
    return net;
}

double sigmoid_d(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// The network in double precision, straight from the definitions (one window at a time).
std::vector<double> reference(const nn::Network& net, const float* x, const int* ids, int batch) {
    const nn::Architecture& a = net.arch;
    std::vector<double> y;
    for (int b = 0; b < batch; ++b) {
        std::vector<double> seq(x + static_cast<std::size_t>(b) * a.window * a.features,
                                x + static_cast<std::size_t>(b + 1) * a.window * a.features);
        int in = a.features;
        std::vector<double> h;
        for (const nn::LstmLayer& layer : net.lstm) {
            const int u = layer.units();
            h.assign(u, 0.0);
            std::vector<double> c(u, 0.0), out, z(4 * u);
            for (int t = 0; t < a.window; ++t) {
                for (int j = 0; j < 4 * u; ++j) {
                    double s = layer.bias[j];
                    for (int p = 0; p < in; ++p) s += seq[t * in + p] * double(layer.kernel(p, j));
                    for (int p = 0; p < u; ++p) s += h[p] * double(layer.recurrent(p, j));
                    z[j] = s;
                }
                for (int j = 0; j < u; ++j) {
                    c[j] = sigmoid_d(z[u + j]) * c[j] + sigmoid_d(z[j]) * std::tanh(z[2 * u + j]);
                    h[j] = sigmoid_d(z[3 * u + j]) * std::tanh(c[j]);
                }
                out.insert(out.end(), h.begin(), h.end());
            }
            seq = out;
            in = u;
        }
        std::vector<double> feat = h;
        for (int k = 0; k < a.embedding_dim; ++k) {
            double e = 0;
            if (ids[b] >= 0) {
                e = net.embedding(ids[b], k);
            } else {
                for (int s = 0; s < a.embedding_count; ++s) e += net.embedding(s, k);
                e /= a.embedding_count;
            }
            feat.push_back(e);
        }
        std::vector<double> d(a.dense_units);
        for (int j = 0; j < a.dense_units; ++j) {
            double s = net.dense1.bias[j];
            for (std::size_t p = 0; p < feat.size(); ++p) s += feat[p] * double(net.dense1.kernel(static_cast<int>(p), j));
            d[j] = std::max(s, 0.0);
        }
        for (int j = 0; j < a.outputs; ++j) {
            double s = net.dense2.bias[j];
            for (int p = 0; p < a.dense_units; ++p) s += d[p] * double(net.dense2.kernel(p, j));
            y.push_back(s);
        }
    }
    return y;
}

struct Case {
    nn::Architecture arch;
    int batch;
};

std::string describe(const nn::Architecture& a) {
    std::string s = "T" + std::to_string(a.window) + "×" + std::to_string(a.features) + " LSTM";
    for (int u : a.lstm_units) s += " " + std::to_string(u);
    s += " D" + std::to_string(a.dense_units) + " O" + std::to_string(a.outputs);
    if (a.has_embedding()) s += " E" + std::to_string(a.embedding_count) + "×" + std::to_string(a.embedding_dim);
    return s;
}

// Accuracy against the reference, batch == single bit for bit, and repeatability (a fresh
// workspace, a second call, an input at a different alignment). Returns max |Δ|, which must
// be within tolerance · max(1, max |output|) when `relative` (wide layers sum many terms).
double check_case(const Case& k, double tolerance, bool relative = false) {
    const nn::Network net = random_network(k.arch);
    const int per = k.arch.window * k.arch.features, o = k.arch.outputs;
    std::vector<float> x(static_cast<std::size_t>(k.batch) * per + 1);
    for (float& v : x) v = uniform(-0.2f, 0.2f);
    std::vector<int> ids(k.batch);
    for (int b = 0; b < k.batch; ++b) ids[b] = k.arch.has_embedding() ? (b % 4 == 3 ? -1 : (b * 7) % k.arch.embedding_count) : 0;
    const std::size_t ny = static_cast<std::size_t>(k.batch) * o;
    std::vector<float> y(ny), y2(ny), y3(ny), one(o);
    nn::Workspace ws, ws2;
    check(net.forward(x.data(), ids.data(), k.batch, y.data(), ws).ok(), describe(k.arch) + ": forward failed");
    const std::vector<double> ref = reference(net, x.data(), ids.data(), k.batch);
    double err = 0, ymax = 0;
    for (std::size_t i = 0; i < ny; ++i) {
        err = std::max(err, std::fabs(double(y[i]) - ref[i]));
        ymax = std::max(ymax, std::fabs(ref[i]));
    }
    const double scale = relative ? std::max(1.0, ymax) : 1.0;
    const std::string name = describe(k.arch) + " batch " + std::to_string(k.batch);
    check(err <= tolerance * scale, name + ": max |Δ| vs reference " + std::to_string(err));
    double single_diff = 0;  // max |batch − one window at a time|
    for (int b = 0; b < k.batch; ++b) {
        (void)net.forward(x.data() + b * per, &ids[b], 1, one.data(), ws2);
        for (int j = 0; j < o; ++j) single_diff = std::max(single_diff, std::fabs(double(one[j]) - y[b * o + j]));
    }
    // Bit for bit in WASM; natively Eigen's GEMM blocks by size, so only to rounding (as tests/native).
    check(single_diff <= (kBitIdentical ? 0.0 : 2e-6 * std::max(1.0, ymax)), name + ": batch differs from one window at a time");
    (void)net.forward(x.data(), ids.data(), k.batch, y2.data(), ws);
    std::memmove(x.data() + 1, x.data(), sizeof(float) * (x.size() - 1));  // same windows, shifted by one float
    nn::Workspace ws3;
    (void)net.forward(x.data() + 1, ids.data(), k.batch, y3.data(), ws3);
    check(y == y2 && y == y3, name + ": not repeatable");
    std::printf("  %-42s max |Δ| %.2e (max |y| %.1f)  batch vs single: %s %.1e\n", name.c_str(), err, ymax,
                single_diff == 0 ? "bit-identical," : "differ by", single_diff);
    return err;
}

// All bit patterns of one sign with the given stride, then ±inf and ±max.
std::vector<float> float_grid(std::uint32_t stride) {
    std::vector<float> v;
    for (std::uint64_t bits = 0; bits < 0x7f800000u; bits += stride) {
        float f;
        const std::uint32_t b32 = static_cast<std::uint32_t>(bits);
        std::memcpy(&f, &b32, sizeof f);
        v.push_back(f);
        v.push_back(-f);
    }
    for (float f : {INFINITY, -INFINITY, 3.4e38f, -3.4e38f}) v.push_back(f);
    return v;
}

// The cell's activations, through kernels::lstm_cell itself, for each value of the grid:
//   sigmoid: gates (i, f, c, o) = (−100, x, 0, x), c = 1  →  c' ≈ σ(x), h ≈ σ(x) tanh(σ(x))
//   tanh:    gates (100, −100, x, 100), c = 0            →  c' ≈ tanh(x)
//   tanh(c): gates (−100, 100, 0, 100), c = x            →  h ≈ tanh(x)   (|x| ≤ 2^20; a cell state
//            is bounded by the window length)
// Compared with the same formulas in double; max |error| of each, and whether any output was NaN.
struct ActivationError {
    double sigmoid = 0, tanh = 0, tanh_state = 0;
    bool nan = false;
};

ActivationError activation_error(const std::vector<float>& grid) {
    constexpr int rows = 16, units = 509;  // odd units: the tail path is exercised too
    ActivationError e;
    std::vector<float> gates(rows * 4 * units), c(rows * units), h(rows * units);
    std::vector<float> xs(rows * units);
    for (int kind = 0; kind < 3; ++kind) {
        for (std::size_t start = 0; start < grid.size(); start += xs.size()) {
            for (std::size_t i = 0; i < xs.size(); ++i) xs[i] = grid[std::min(start + i, grid.size() - 1)];
            for (int r = 0; r < rows; ++r) {
                float* g = gates.data() + r * 4 * units;
                for (int j = 0; j < units; ++j) {
                    const float x = xs[r * units + j];
                    const float gi[3][5] = {{-100, x, 0, x, 1}, {100, -100, x, 100, 0}, {-100, 100, 0, 100, std::clamp(x, -1048576.0f, 1048576.0f)}};
                    for (int q = 0; q < 4; ++q) g[q * units + j] = gi[kind][q];
                    c[r * units + j] = gi[kind][4];
                }
            }
            const std::vector<float> c0 = c, g0 = gates;
            nn::kernels::lstm_cell(gates.data(), c.data(), h.data(), rows, units);
            for (int r = 0; r < rows; ++r) {
                for (int j = 0; j < units; ++j) {
                    const float* g = g0.data() + r * 4 * units;
                    const double cn = sigmoid_d(g[units + j]) * double(c0[r * units + j]) + sigmoid_d(g[j]) * std::tanh(double(g[2 * units + j]));
                    const double hn = sigmoid_d(g[3 * units + j]) * std::tanh(cn);
                    const float cf = c[r * units + j], hf = h[r * units + j];
                    e.nan = e.nan || std::isnan(cf) || std::isnan(hf);
                    const double ec = std::fabs(cf - cn), eh = std::fabs(hf - hn);
                    if (kind == 0) e.sigmoid = std::max({e.sigmoid, ec, eh});
                    if (kind == 1) e.tanh = std::max({e.tanh, ec, eh});
                    if (kind == 2) e.tanh_state = std::max({e.tanh_state, eh, ec / std::max(1.0, std::fabs(cn))});
                }
            }
        }
    }
    return e;
}

double now_ms() {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct Timing {
    double median, min;
};

template <class Fn>
Timing time_it(Fn fn, int reps) {
    for (const double end = now_ms() + 500; now_ms() < end;) fn();  // let V8 tier up
    std::vector<double> ms;
    for (int i = 0; i < reps; ++i) {
        const double t0 = now_ms();
        fn();
        ms.push_back(now_ms() - t0);
    }
    std::sort(ms.begin(), ms.end());
    return {ms[ms.size() / 2], ms[0]};
}

void print_load(const char* when) {
#if defined(__EMSCRIPTEN__)
    const double load = emscripten_run_script_int("Math.round(100 * require('os').loadavg()[0])") / 100.0;
    std::printf("load average (1 min) %s: %.2f\n", when, load);
#else
    (void)when;
#endif
}

}  // namespace

int main(int argc, char** argv) {
    const bool exhaustive = argc > 1 && std::string(argv[1]) == "--exhaustive";
    print_load("before");

    std::printf("accuracy vs double reference (±0.5 weights, ±0.2 inputs), batch == single, repeatability:\n");
    auto arch = [](std::vector<int> units, int dense = 25, int outputs = 4, int features = 1, int window = 60, int emb = 0) {
        nn::Architecture a;
        a.window = window;
        a.features = features;
        a.lstm_units = std::move(units);
        a.dense_units = dense;
        a.outputs = outputs;
        a.embedding_count = emb ? 66 : 0;
        a.embedding_dim = emb;
        return a;
    };
    double main_err = 0;
    for (const Case& k : {Case{arch({50, 50}), 66}, Case{arch({50, 40}), 66}, Case{arch({50, 50}, 25, 4, 1, 60, 10), 66},
                          Case{arch({50, 40}, 25, 4, 1, 60, 10), 66}})
        main_err = std::max(main_err, check_case(k, 2e-6));
    double odd_err = 0;
    const int sizes[] = {1, 3, 5, 7, 13, 40, 50, 64, 65};
    for (int i = 0; i < 9; ++i)
        odd_err = std::max(odd_err, check_case({arch({sizes[i], sizes[(i + 4) % 9]}, 1 + 6 * i, 1 + i % 5, 1 + i % 3, 20, i % 2 ? 7 : 0), 7}, 2e-6, true));
    odd_err = std::max(odd_err, check_case({arch({512, 3, 511}, 449, 64, 3, 6), 5}, 2e-6, true));
    odd_err = std::max(odd_err, check_case({arch({600}, 9, 2, 2, 4), 3}, 2e-6, true));  // beyond kMaxUnits: the cell's blocks
    std::printf("max |Δ| vs reference: %.2e (LSTM 50/40 networks, bound 2e-6), %.2e (odd sizes, bound 2e-6 · max(1, |y|))\n", main_err, odd_err);

    const ActivationError ae = activation_error(float_grid(exhaustive ? 1 : 97));
    std::printf("cell activations over %s: max |err| sigmoid %.2e, tanh %.2e, tanh(state) %.2e (relative beyond 1), NaN: %s\n",
                exhaustive ? "every float" : "every 97th float", ae.sigmoid, ae.tanh, ae.tanh_state, ae.nan ? "YES" : "none");
    check(!ae.nan && std::max({ae.sigmoid, ae.tanh, ae.tanh_state}) <= 1e-6, "activation error above 1e-6 or NaN");

    const nn::Network net = random_network(arch({50, 50}));
    std::vector<float> x(66 * 60);
    for (float& v : x) v = uniform(-0.2f, 0.2f);
    std::vector<int> ids(66, 0);
    std::vector<float> y(66 * 4);
    nn::Workspace ws;
    std::printf("forward, LSTM 50 → 50 → 25 → 4, 60 steps     median ms    min ms   ms/window\n");
    for (int batch : {1, 66}) {
        const Timing t = time_it([&] { (void)net.forward(x.data(), ids.data(), batch, y.data(), ws); }, batch == 1 ? 3000 : 200);
        std::printf("  batch %-36d %9.4f %9.4f %11.4f\n", batch, t.median, t.min, t.median / batch);
    }
    print_load("after");
    std::printf("%s\n", g_failed ? "SOME CHECKS FAILED" : "all checks passed");
    return g_failed ? 1 : 0;
}
