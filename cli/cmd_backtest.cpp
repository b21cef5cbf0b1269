// Placeholder until the backtest command lands (issue 3).
#include <cstdio>

#include "commands.hpp"

namespace stockcast::cli {
int cmd_backtest(int, char**) {
    std::fprintf(stderr, "stockcast backtest: not available in this build\n");
    return 2;
}
}  // namespace stockcast::cli
