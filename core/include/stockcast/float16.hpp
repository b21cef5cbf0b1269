// IEEE 754 binary16 <-> float32, round-to-nearest-even; used for compact weight storage.
#pragma once

#include <cstdint>

namespace stockcast {

std::uint16_t float_to_half(float value);
float half_to_float(std::uint16_t half);

}  // namespace stockcast
