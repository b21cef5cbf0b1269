// Placeholder until the train command lands (issue 3).
#include <cstdio>

#include "commands.hpp"

namespace stockcast::cli {
int cmd_train(int, char**) {
    std::fprintf(stderr, "stockcast train: not available in this build\n");
    return 2;
}
}  // namespace stockcast::cli
