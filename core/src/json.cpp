// parse_json: nlohmann's SAX parser (strict, no exceptions) with a handler that builds the value
// itself, so that duplicate keys, depth and errors with byte offsets are ours to decide.
#include "stockcast/json.hpp"

#include <limits>
#include <utility>
#include <vector>

namespace stockcast {
namespace {

class Builder {
public:
    explicit Builder(Json& root) : root_(root) {}

    bool null() { return add(nullptr) != nullptr; }
    bool boolean(bool b) { return add(b) != nullptr; }
    bool number_integer(Json::number_integer_t n) { return add(n) != nullptr; }
    bool number_unsigned(Json::number_unsigned_t n) { return add(n) != nullptr; }
    bool number_float(Json::number_float_t x, const Json::string_t&) { return add(x) != nullptr; }
    bool string(Json::string_t& s) { return add(std::move(s)) != nullptr; }
    bool binary(Json::binary_t&) { return false; }  // JSON text has none
    bool start_object(std::size_t) { return open(Json::object()); }
    bool start_array(std::size_t) { return open(Json::array()); }
    bool end_object() { return close(); }
    bool end_array() { return close(); }
    bool key(Json::string_t& k) {
        if (stack_.back()->contains(k)) return fail(cat({"JSON: duplicate key \"", k, "\""}));
        key_ = std::move(k);
        return true;
    }
    bool parse_error(std::size_t position, const std::string&, const Json::exception& ex) {
        // what() is "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error
        // while parsing value - ..." or "[json.exception.out_of_range.406] number overflow ...":
        // keep what follows the prefixes. `position` counts the bytes read: the parser stopped at
        // the last one.
        std::string_view what = ex.what();
        if (auto p = what.find("] "); p != std::string_view::npos) what.remove_prefix(p + 2);
        if (what.rfind("parse error", 0) == 0)
            if (auto p = what.find(": "); p != std::string_view::npos) what.remove_prefix(p + 2);
        if (what.rfind("syntax error ", 0) == 0) what.remove_prefix(13);
        return fail(cat({"JSON: syntax error at byte ", position > 0 ? position - 1 : 0, ": ", what}));
    }

    std::string error;

private:
    bool fail(std::string message) {
        error = std::move(message);
        return false;
    }
    Json* add(Json value) {
        if (stack_.empty()) return &(root_ = std::move(value));
        Json& parent = *stack_.back();
        if (auto* array = parent.get_ptr<Json::array_t*>()) return &array->emplace_back(std::move(value));
        return &((*parent.get_ptr<Json::object_t*>())[std::move(key_)] = std::move(value));
    }
    bool open(Json empty) {
        if (stack_.size() >= static_cast<std::size_t>(kMaxJsonDepth))
            return fail(cat({"JSON: nesting deeper than ", kMaxJsonDepth, " levels"}));
        // The pointer stays valid: a container is only added to while it is the innermost open one.
        stack_.push_back(add(std::move(empty)));
        return true;
    }
    bool close() {
        stack_.pop_back();
        return true;
    }

    Json& root_;
    std::vector<Json*> stack_;
    std::string key_;
};

}  // namespace

Result<Json> parse_json(std::string_view text) {
    if (text.size() > kMaxJsonBytes)
        return make_error(ErrorCode::invalid_input, {"JSON: ", text.size(), " bytes exceeds the cap of ", kMaxJsonBytes});
    // Two holes in nlohmann's strictness: it skips a byte order mark (RFC 8259 forbids sending
    // one) and takes a NUL byte for the end of the input (JSON allows none anywhere).
    if (text.substr(0, 3) == "\xEF\xBB\xBF") return make_error(ErrorCode::invalid_input, "JSON: syntax error at byte 0: byte order mark");
    if (const auto nul = text.find('\0'); nul != std::string_view::npos)
        return make_error(ErrorCode::invalid_input, {"JSON: syntax error at byte ", nul, ": NUL byte"});
    Json root;
    Builder builder(root);
    if (!Json::sax_parse(text.begin(), text.end(), &builder, Json::input_format_t::json, true))
        return make_error(ErrorCode::invalid_input, std::move(builder.error));
    return root;
}

const Json* json_find(const Json& j, std::string_view key) {
    if (!j.is_object()) return nullptr;
    const auto it = j.find(key);
    return it == j.end() ? nullptr : &*it;
}

std::optional<long long> json_int(const Json& j) {
    // Unsigned first: nlohmann's is_number_integer() is also true for an unsigned value.
    if (j.is_number_unsigned()) {
        const auto u = j.get<Json::number_unsigned_t>();
        if (u > static_cast<Json::number_unsigned_t>(std::numeric_limits<long long>::max())) return std::nullopt;
        return static_cast<long long>(u);
    }
    if (j.is_number_integer()) return j.get<Json::number_integer_t>();
    return std::nullopt;
}

std::string json_dump(const Json& j, int indent) { return j.dump(indent, ' ', false, Json::error_handler_t::replace); }

}  // namespace stockcast
