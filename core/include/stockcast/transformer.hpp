// The Transformer predictor ("transformer_v1"), beside the LSTM of nn.hpp and behind the same
// nn::Network (Network::forward, zeros, tensors and expected_tensors dispatch here on
// Architecture::type):
//
//   x [window, features] -> Dense(d) + sinusoidal positional encoding
//     -> encoder_layers × torch.nn.TransformerEncoderLayer(d_model=d, nhead=heads,
//          dim_feedforward=ff_units, dropout=0, activation='relu', batch_first=True,
//          norm_first=False):   x = LN1(x + SelfAttention(x));  x = LN2(x + W2·relu(W1·x))
//     -> mean over the window's time steps -> Dense(outputs)
//
// Positional encoding: a [window, d] table added to the projected inputs, stored in the file
// (`positional_encoding`). The shipped model and the golden file hold the fixed sinusoidal table of
// "Attention is all you need" (PE[t, 2i] = sin(t / 10000^(2i/d)), PE[t, 2i+1] = cos(…), computed by
// scripts/golden_transformer.py at training time); a learned table would fit the same tensor. Stored
// rather than computed so the browser module needs no sin / cos / pow (measured: +2.5 KB gzip of
// libm against the package's size budget). Mean pooling rather than the last step: every step's
// attention output reaches the head.
// Layer norms use eps 1e-5 (PyTorch's default).
//
// Tensor names follow the PyTorch module paths; matrices are stored [in, out] (PyTorch's
// `weight` transposed, as Keras lays kernels out), hence ".kernel" where PyTorch says ".weight":
//   input_proj.kernel [features, d], input_proj.bias [d], positional_encoding [window, d]
//   layers.N.self_attn.in_proj.kernel [d, 3d], layers.N.self_attn.in_proj.bias [3d]
//   layers.N.self_attn.out_proj.kernel [d, d], layers.N.self_attn.out_proj.bias [d]
//   layers.N.linear1.kernel [d, ff], layers.N.linear1.bias [ff]
//   layers.N.linear2.kernel [ff, d], layers.N.linear2.bias [d]
//   layers.N.norm1.weight, layers.N.norm1.bias, layers.N.norm2.weight, layers.N.norm2.bias [d]
//   head.kernel [d, outputs], head.bias [outputs]
#pragma once

#include <vector>

#include "stockcast/error.hpp"
#include "stockcast/nn.hpp"

namespace stockcast::nn::transformer {

inline constexpr float kLayerNormEps = 1e-5f;

// Dimension checks of a transformer_v1 architecture (Architecture::validate calls it).
Status validate(const Architecture& arch);
// Name and shape of every tensor, in file order (expected_tensors calls it).
std::vector<TensorSpec> expected_tensors(const Architecture& arch);
// Zero weights of the right shapes (Network::zeros calls it).
void zeros(Network& net);
// Pointers to every tensor's data, in expected_tensors order.
std::vector<float*> tensor_data(Network& net);
// The forward pass; arguments already checked by Network::forward.
void forward(const Network& net, const float* x, int batch, float* out, Workspace& ws);

}  // namespace stockcast::nn::transformer
