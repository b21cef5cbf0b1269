// SHA-256 (FIPS 180-4), for model-file integrity; small enough to need no dependency.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace stockcast {

using Sha256Digest = std::array<std::uint8_t, 32>;

Sha256Digest sha256(const std::uint8_t* data, std::size_t size);
std::string to_hex(const Sha256Digest& digest);

}  // namespace stockcast
