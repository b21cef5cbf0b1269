// nn.cpp as stockcast.wasm builds it: LSTM networks only (see STOCKCAST_WITHOUT_TRANSFORMER there).
// Linked into that module ahead of the core library, so the library's nn.cpp (and with it
// transformer.cpp) is never pulled from the archive; the other modules and native builds keep both.
#define STOCKCAST_WITHOUT_TRANSFORMER
#include "../nn.cpp"
