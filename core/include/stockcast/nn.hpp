// The forecasting networks, inference side: LSTM (Keras gate order i, f, c, o; sigmoid /
// tanh; zero initial state), Dense (relu / linear), Embedding, and the two architectures:
//   stock_specific: LSTM(u1, seq) -> LSTM(u2) -> Dense(d, relu) -> Dense(H)
//   general:        the same with Embedding(dim)[stock] concatenated to the last LSTM output.
// Weights are stored exactly as Keras lays them out (row-major [in, out]), which is also the
// layout the recurrent kernel wants: y += h[j] * W.row(j), vectorised over the outputs.
// Layers are immutable after loading; per-call scratch lives in a Workspace, so one Network
// serves any number of callers.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <vector>

#include "stockcast/error.hpp"

namespace stockcast::nn {

using MatrixRM = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Vector = Eigen::VectorXf;

// Sane caps, checked before anything is allocated from untrusted sizes.
inline constexpr int kMaxWindow = 1024;
inline constexpr int kMaxFeatures = 64;
inline constexpr int kMaxUnits = 512;
inline constexpr int kMaxOutputs = 64;
inline constexpr int kMaxEmbeddingCount = 4096;
inline constexpr int kMaxEmbeddingDim = 256;
inline constexpr int kMaxBatch = 1 << 16;

enum class Activation { linear, relu };

// Which network a file holds: "lstm_v1" (above) or "transformer_v1" (transformer.hpp).
enum class ArchType { lstm, transformer };

// Caps of the Transformer's dimensions (transformer.hpp).
inline constexpr int kMaxModelDim = 256;
inline constexpr int kMaxHeads = 16;
inline constexpr int kMaxEncoderLayers = 8;
inline constexpr int kMaxFeedForward = 1024;

struct Architecture {
    int window = 60;                 // time steps per input window
    int features = 1;                // inputs per time step
    std::vector<int> lstm_units{50, 50};  // 1..3 stacked LSTM layers; all but the last return sequences
    int dense_units = 25;            // hidden Dense(relu)
    int outputs = 4;                 // final Dense(linear), one per horizon
    int embedding_count = 0;         // 0: stock-specific network; >0: general network
    int embedding_dim = 0;
    float dropout = 0.2f;            // training only; recorded for the file header
    // transformer_v1 (type == transformer): window, features, outputs and dropout above, these
    // below; the LSTM fields (lstm_units, dense_units, embedding_*) are unused and must be 0/empty.
    ArchType type = ArchType::lstm;
    int d_model = 0;                 // model dimension (input projection width)
    int heads = 0;                   // attention heads; d_model % heads == 0
    int encoder_layers = 0;          // post-norm encoder layers
    int ff_units = 0;                // feed-forward width

    bool has_embedding() const { return embedding_count > 0; }
    bool is_transformer() const { return type == ArchType::transformer; }
    // Checks every dimension against the caps above (dimension_too_large / bad_header).
    Status validate() const;
};

struct LstmLayer {
    MatrixRM kernel;     // [in, 4u]   gate blocks in Keras order i, f, c, o
    MatrixRM recurrent;  // [u, 4u]
    Vector bias;         // [4u]
    int units() const { return static_cast<int>(recurrent.rows()); }
};

// One torch.nn.TransformerEncoderLayer (post-norm, relu), matrices row-major [in, out]
// (PyTorch's weight transposed), so every product is the same kernels::gemm as the LSTM's.
struct EncoderLayer {
    MatrixRM in_proj;    // [d, 3d]  columns: q | k | v, head h at h·d/heads within each
    Vector in_proj_bias; // [3d]
    MatrixRM out_proj;   // [d, d]
    Vector out_proj_bias;
    MatrixRM linear1;    // [d, ff]
    Vector linear1_bias;
    MatrixRM linear2;    // [ff, d]
    Vector linear2_bias;
    Vector norm1_weight, norm1_bias, norm2_weight, norm2_bias;  // [d]
};

struct DenseLayer {
    MatrixRM kernel;  // [in, out]
    Vector bias;      // [out]
    Activation activation = Activation::linear;
};

// Reusable scratch for forward passes; grows on demand, never shrinks. Buffers are aligned
// like Eigen's own allocations so a product takes the same vectorised path every call: the
// same input then gives bit-identical output whatever malloc returned.
struct Workspace {
    using Buffer = std::vector<float, Eigen::aligned_allocator<float>>;
    Buffer a, b, gates, h, c, head;
    std::vector<std::int16_t> qa, qb;  // the integer kernel's h sequences
};

// The integer kernel's copy of an LSTM layer's weights (core/src/nn_kernels.hpp: int16 per output
// column, rows paired for i32x4.dot_i16x8_s). The first layer's kernel multiplies the raw inputs,
// which are not bounded like h: it stays float (kernel empty).
struct QuantizedMatrix {
    std::vector<std::int16_t> pairs;
    std::vector<float> dequant;
    bool empty() const { return pairs.empty(); }
};
struct QuantizedLstm {
    QuantizedMatrix kernel, recurrent;
};

// Which arithmetic the LSTM layers use: float32 (the reference; parity tests) or int16 weights
// and activations with int32 sums (faster in WebAssembly; within 1e-3 of float32 on the golden
// networks, docs/benchmarks.md#the-integer-kernel). The dense head is float32 in both.
enum class Kernel { float32, int16 };
inline constexpr const char* kKernelNames[] = {"float32", "int16"};  // in enum order
inline const char* kernel_name(Kernel k) { return kKernelNames[static_cast<int>(k)]; }
Result<Kernel> kernel_named(const std::string& name);  // invalid_input naming the choices

// Name and shape of every tensor an architecture needs, in file order, computed without
// allocating (the parser checks a file's tensor table against this before allocating).
struct TensorSpec {
    std::string name;
    std::vector<int> shape;
    std::size_t count() const;
};
std::vector<TensorSpec> expected_tensors(const Architecture& arch);

struct Network {
    Architecture arch;
    std::vector<LstmLayer> lstm;
    DenseLayer dense1, dense2;
    MatrixRM embedding;  // [count, dim]; empty for stock-specific networks
    std::vector<QuantizedLstm> int16;  // one per LSTM layer when quantize() ran: forward() uses it

    // Quantises the LSTM weights for the integer kernel (once, after loading; the float weights stay).
    void quantize();
    Kernel kernel() const { return int16.empty() ? Kernel::float32 : Kernel::int16; }
    // transformer_v1 only: input projection [features, d] + bias, the encoder layers, the
    // positional encoding [window, d], and the head Dense(d -> outputs) in dense2.
    DenseLayer input_proj;
    std::vector<EncoderLayer> encoder;
    MatrixRM positional;

    // A network of the given architecture with all-zero weights of the right shapes.
    static Network zeros(const Architecture& arch);

    // Named tensors with Keras names and shapes, in file order:
    // lstm1.kernel, lstm1.recurrent_kernel, lstm1.bias, lstm2.…, embedding.embeddings,
    // dense1.kernel, dense1.bias, dense2.kernel, dense2.bias. Transformer: transformer.hpp.
    struct TensorRef {
        std::string name;
        std::vector<int> shape;
        float* data;
    };
    std::vector<TensorRef> tensors();

    // x: batch windows, each [window, features] row-major (time-major within a window).
    // stock_ids: batch entries (general networks only; may be null otherwise); an id of -1
    // means "unseen stock": the neutral embedding (mean of all rows) is used.
    // out: batch × outputs. Checks ids and batch size (invalid_input); inputs must be finite.
    // A transformer network ignores stock_ids.
    Status forward(const float* x, const int* stock_ids, int batch, float* out, Workspace& ws) const;
};

}  // namespace stockcast::nn
