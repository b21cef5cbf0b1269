// Price series as columns of numbers (how the WebAssembly binding receives them: typed arrays)
// turned into what the risk engine's request readers take.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace stockcast::risk {

// yyyymmdd (20210630) → "2021-06-30". A number that cannot be such a date (negative, more than
// 8 digits) gives "" (the readers reject both with the index and value they saw).
std::string date_text(std::int32_t yyyymmdd);
std::vector<std::string> date_texts(const std::vector<std::int32_t>& yyyymmdd);

}  // namespace stockcast::risk
