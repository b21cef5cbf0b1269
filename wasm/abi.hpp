// What both standalone modules' C ABIs share: the export macro and the argument buffer.
#pragma once

#include <cstdint>
#include <cstdlib>

#define SC_EXPORT extern "C" __attribute__((used, visibility("default")))

namespace stockcast::abi {

// Callers copy their arguments here: one buffer, reused, grown on demand.
inline void* g_scratch = nullptr;
inline std::size_t g_scratch_bytes = 0;

}  // namespace stockcast::abi

// A buffer of at least `bytes` bytes, 8-aligned (malloc's alignment); null when memory cannot
// grow (malloc reports it, where a std::vector would abort the module).
SC_EXPORT inline void* sc_scratch(std::uint32_t bytes) {
    using namespace stockcast::abi;
    if (bytes > g_scratch_bytes) {
        std::free(g_scratch);
        g_scratch = std::malloc(bytes);
        g_scratch_bytes = g_scratch ? bytes : 0;
    }
    return g_scratch;
}
