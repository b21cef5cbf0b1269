#include "stockcast/routing.hpp"

#include <algorithm>
#include <cctype>

namespace stockcast {
namespace {

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

}  // namespace

std::string closest_symbol(const RouteTable& table, std::string_view symbol) {
    const std::string wanted = upper(symbol);
    std::string best;
    double best_distance = 0;
    for (const RouteEntry& e : table.stocks) {
        const std::string candidate = upper(e.symbol);
        const double d = static_cast<double>(edit_distance(wanted, candidate)) -
                         (starts_with(candidate, wanted) || starts_with(wanted, candidate) ? 0.5 : 0.0);
        if (best.empty() || d < best_distance) best = e.symbol, best_distance = d;
    }
    return best;
}

Result<Route> route(const RouteTable& table, std::string_view symbol, bool has_history) {
    const std::string wanted = upper(symbol);
    for (const RouteEntry& e : table.stocks) {
        if (upper(e.symbol) != wanted) continue;
        Route r{e.symbol, e.file, e.model_type, {}};
        if (e.model_type == "stock_specific") r.fallback_file = e.fallback_file.empty() ? table.general_file : e.fallback_file;
        return r;
    }
    if (has_history && !table.general_file.empty()) return Route{wanted, table.general_file, "general_unseen", {}};
    std::string message = cat({"no model serves ", wanted});
    if (!has_history && !table.general_file.empty()) message += " (pass its price history to use the general model)";
    const std::string suggestion = closest_symbol(table, wanted);
    if (!suggestion.empty()) message += cat({"; did you mean ", suggestion, "?"});
    return Error{ErrorCode::model_not_found, std::move(message), "symbol"};
}

RouteTable route_table(const std::vector<std::string>& symbols, const std::vector<std::string>& files,
                       const std::vector<std::string>& model_types, const std::vector<std::string>& fallback_files,
                       std::string general_file) {
    auto cell = [](const std::vector<std::string>& column, std::size_t i) { return i < column.size() ? column[i] : std::string(); };
    RouteTable table;
    table.general_file = std::move(general_file);
    for (std::size_t i = 0; i < symbols.size(); ++i)
        table.stocks.push_back({symbols[i], cell(files, i), cell(model_types, i), cell(fallback_files, i)});
    return table;
}

std::string served_model_type(std::string_view routed_type, bool general_model, int stock_id) {
    if (general_model && stock_id < 0) return "general_unseen";
    if (general_model && routed_type == "general_unseen") return "general";
    return std::string(routed_type);
}

const char* confidence_of(std::string_view model_type) {
    if (model_type == "stock_specific") return "high";
    if (model_type == "general") return "medium";
    return "low";
}

}  // namespace stockcast
