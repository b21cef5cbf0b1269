// The project's one JSON implementation: model headers, the manifest, the risk API, the CLI.
// A small DOM (Json) with a strict RFC 8259 parser that never throws (json.cpp) and a writer
// whose output matches nlohmann/json's dump() byte for byte (json_write.cpp), since the committed
// model files were written by it. The two live in separate files so that a WebAssembly module
// that only parses links no writer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "stockcast/error.hpp"

namespace stockcast {

class Json {
public:
    using Array = std::vector<Json>;
    // Sorted by key, as nlohmann's default: dump() writes keys in order. A map, not a sorted vector,
    // so that a reference to one member survives inserting another (j["a"] = j["b"]).
    using Object = std::map<std::string, Json, std::less<>>;
    enum class Type : std::uint8_t { null, boolean, integer, floating, string, array, object };

    Json() = default;
    Json(std::nullptr_t) {}  // NOLINT: implicit conversions are the point of this class
    // Templates so that a pointer does not silently become a boolean.
    template <class T, std::enable_if_t<std::is_same_v<T, bool>, int> = 0>
    Json(T b) : data_(b) {}  // NOLINT
    // Integers stay exact; an unsigned value beyond the int64 range becomes a double.
    template <class T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
    Json(T n) {  // NOLINT
        if constexpr (std::is_unsigned_v<T>)
            if (std::uint64_t{n} > std::uint64_t{std::numeric_limits<std::int64_t>::max()}) {
                data_ = static_cast<double>(n);
                return;
            }
        data_ = static_cast<std::int64_t>(n);
    }
    template <class T, std::enable_if_t<std::is_floating_point_v<T>, int> = 0>
    Json(T x) : data_(static_cast<double>(x)) {}  // NOLINT
    Json(const char* s) : data_(std::string(s)) {}  // NOLINT
    Json(std::string s) : data_(std::move(s)) {}  // NOLINT
    Json(std::string_view s) : data_(std::string(s)) {}  // NOLINT
    // A vector of anything convertible (numbers, strings, vectors, Json) becomes an array.
    template <class T>
    Json(const std::vector<T>& values) : data_(Array(values.begin(), values.end())) {}  // NOLINT
    // {{"name", x}, {"kind", y}} is an object: a list whose elements are all two-element lists
    // starting with a string (nlohmann's rule; an empty list too). Anything else is an array.
    Json(std::initializer_list<Json> items);  // NOLINT

    static Json array(std::initializer_list<Json> items = {});
    static Json object();

    Type type() const { return static_cast<Type>(data_.index()); }
    bool is_null() const { return type() == Type::null; }
    bool is_boolean() const { return type() == Type::boolean; }
    bool is_number() const { return is_number_integer() || is_number_float(); }
    bool is_number_integer() const { return type() == Type::integer; }
    bool is_number_float() const { return type() == Type::floating; }
    bool is_string() const { return type() == Type::string; }
    bool is_array() const { return type() == Type::array; }
    bool is_object() const { return type() == Type::object; }
    // "null", "boolean", "number", "string", "array" or "object", for error messages.
    const char* type_name() const;

    // The value as T: bool, an arithmetic type, std::string, std::vector<U> of those, or Json.
    // Numbers convert (a double truncates to an integer type; one outside its range gives 0);
    // a value of another type gives T{}: check the type first where it matters.
    template <class T>
    T get() const;

    // Objects. The const lookups answer nullptr / a null value for a missing key or a non-object.
    const Json* find(std::string_view key) const;
    Json* find(std::string_view key);
    bool contains(std::string_view key) const { return find(key) != nullptr; }
    const Json& operator[](std::string_view key) const;
    // Inserts a null member when missing; a value that is not an object becomes an empty one first.
    Json& operator[](std::string_view key);
    std::size_t erase(std::string_view key);  // members removed: 0 or 1
    const Object& items() const;              // members in key order; empty unless an object

    // Arrays. The const index gives a null value when out of range or not an array.
    const Json& operator[](std::size_t index) const;
    // Grows the array with nulls up to `index`; a value that is not an array becomes an empty one first.
    Json& operator[](std::size_t index);
    void push_back(Json value);  // a value that is not an array becomes an empty one first
    void erase(std::size_t index);
    // Iteration over array elements (nothing for other types; objects: items()).
    Array::const_iterator begin() const;
    Array::const_iterator end() const;
    Array::iterator begin();
    Array::iterator end();

    // Elements of an array, members of an object; 0 for null, 1 for other values (as nlohmann).
    std::size_t size() const;
    bool empty() const { return size() == 0; }

    // Compact (indent < 0) or pretty-printed with `indent` spaces per level; see json_write.cpp.
    std::string dump(int indent = -1) const;

    // Deep equality; numbers compare by value across integer and double (1 == 1.0).
    friend bool operator==(const Json& a, const Json& b);
    friend bool operator!=(const Json& a, const Json& b) { return !(a == b); }

private:
    template <class T>
    T number_as() const;

    // Alternatives in the order of Type.
    std::variant<std::nullptr_t, bool, std::int64_t, double, std::string, Array, Object> data_;
};

// Parses one JSON text (RFC 8259, strict): no comments, trailing commas, leading zeros, invalid
// escapes or UTF-8, unpaired surrogates, raw control characters, duplicate keys, numbers beyond the
// double range, trailing bytes or nesting deeper than kMaxJsonDepth. Never throws; an error
// (invalid_input) says what is wrong and at which byte offset: "trailing comma at byte 12".
inline constexpr int kMaxJsonDepth = 256;
Result<Json> parse_json(std::string_view text);

// ---------------------------------------------------------------- template definitions

template <class>
inline constexpr bool kIsVector = false;
template <class U>
inline constexpr bool kIsVector<std::vector<U>> = true;

template <class T>
T Json::number_as() const {
    if (const auto* i = std::get_if<std::int64_t>(&data_)) return static_cast<T>(*i);
    const auto* d = std::get_if<double>(&data_);
    if (d == nullptr) return T{};
    // Converting a double outside T's range is undefined behaviour: give 0 (integers) or
    // ±infinity (float) instead.
    if constexpr (std::is_integral_v<T>) {
        const auto lo = static_cast<double>(std::numeric_limits<T>::min());
        const double hi = 2.0 * static_cast<double>(std::numeric_limits<T>::max() / 2 + 1);
        if (!(*d >= lo && *d < hi)) return T{};
    } else if constexpr (std::numeric_limits<T>::max() < std::numeric_limits<double>::max()) {
        if (*d > std::numeric_limits<T>::max()) return std::numeric_limits<T>::infinity();
        if (*d < -std::numeric_limits<T>::max()) return -std::numeric_limits<T>::infinity();
    }
    return static_cast<T>(*d);
}

template <class T>
T Json::get() const {
    if constexpr (std::is_same_v<T, Json>) {
        return *this;
    } else if constexpr (std::is_same_v<T, bool>) {
        const auto* b = std::get_if<bool>(&data_);
        return b != nullptr && *b;
    } else if constexpr (std::is_arithmetic_v<T>) {
        return number_as<T>();
    } else if constexpr (std::is_same_v<T, std::string>) {
        const auto* s = std::get_if<std::string>(&data_);
        return s != nullptr ? *s : std::string();
    } else if constexpr (kIsVector<T>) {
        T out;
        if (const auto* a = std::get_if<Array>(&data_)) {
            out.reserve(a->size());
            for (const Json& e : *a) out.push_back(e.get<typename T::value_type>());
        }
        return out;
    } else {
        static_assert(kIsVector<T>, "Json::get<T>: unsupported type");
    }
}

}  // namespace stockcast
