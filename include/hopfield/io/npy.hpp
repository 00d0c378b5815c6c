#pragma once
/// \file npy.hpp
/// \brief Reading (and writing) NumPy .npy files: what `numpy.save` writes for one array, e.g.
/// one tensor of a PyTorch state_dict.
///
/// The reader is strict and never reads outside the file it was given: the magic string, the
/// format version (1.0, 2.0, 3.0), the header length, the header dictionary
/// (`{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`, exactly those three keys),
/// the element type and the data size are all checked, and any problem throws
/// hopfield::invalid_argument naming the file (or the name the caller gave the buffer) and
/// what is wrong: a missing file, a truncated header or data, trailing bytes, a malformed
/// header, a dtype that cannot be read as the requested type.
///
/// Element types: floating arrays (`f4`, `f8`, either byte order) read as float or double
/// (converted when they differ, see ReadOptions::convert); boolean masks (`b1`, and `u1` /
/// `i1` where nonzero is true) read as std::uint8_t 0/1. Fortran-order arrays are returned in
/// C (row-major) order.

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "hopfield/core/error.hpp"
#include "hopfield/core/types.hpp"

namespace hopfield::npy {

/// \brief An n-dimensional array in C (row-major) order: `shape` and the prod(shape) values.
/// \tparam T float, double (floating arrays) or std::uint8_t (boolean masks, 0 / 1).
template <class T>
struct Array {
    /// \brief Sizes of the axes; empty for a 0-d array (one value).
    std::vector<Index> shape;
    /// \brief The values, row-major.
    std::vector<T> data;
};

/// \brief What the reader accepts besides the exact element type.
struct ReadOptions {
    /// \brief Read an f8 file as float (or f4 as double). When false, the stored dtype must be
    /// exactly the requested one.
    bool convert = true;
};

/// \brief The parsed header of a .npy file.
struct Header {
    std::string descr;          ///< the dtype string, e.g. "<f4"
    char byte_order = '|';      ///< '<', '>', '|' (or '=' resolved to the native order)
    char kind = '?';            ///< 'f', 'i', 'u', 'b', 'c', ...
    std::size_t item_size = 0;  ///< bytes per element
    bool fortran_order = false;
    std::vector<Index> shape;
    std::size_t data_offset = 0;  ///< bytes before the data (magic + lengths + header)
    std::size_t count = 1;        ///< number of elements, prod(shape)
};

/// \brief "(2, 3)"-style text of a shape ("()" for a 0-d array).
inline std::string shape_string(const std::vector<Index>& shape) {
    std::ostringstream os;
    os << '(';
    for (std::size_t i = 0; i < shape.size(); ++i) os << (i ? ", " : "") << shape[i];
    if (shape.size() == 1) os << ',';
    os << ')';
    return os.str();
}

/// \brief The error of the reader: a hopfield::invalid_argument naming the file, which also
/// keeps the bare description of the problem (for callers that add their own context).
class file_error : public invalid_argument {
public:
    /// \brief "npy::load: argument 'file' = <name>: <problem>".
    file_error(std::string_view name, std::string problem)
        : invalid_argument("npy::load", "file", name, problem), problem_(std::move(problem)) {}
    /// \brief What is wrong with the file, without the file name.
    const std::string& problem() const noexcept { return problem_; }

private:
    std::string problem_;
};

namespace detail {

[[noreturn]] inline void fail(std::string_view name, std::string what) {
    throw file_error(name, std::move(what));
}

/// Minimal tokenizer/parser of the Python dict literal of a .npy header.
class HeaderParser {
public:
    HeaderParser(std::string_view text, std::string_view name) : s_(text), name_(name) {}

    Header parse() {
        Header h;
        bool have_descr = false, have_order = false, have_shape = false;
        expect('{');
        while (true) {
            skip_space();
            if (peek() == '}') {
                ++i_;
                break;
            }
            const std::string key = string_literal();
            expect(':');
            if (key == "descr") {
                skip_space();
                if (peek() != '\'' && peek() != '"')
                    fail(name_,
                         "header: 'descr' is not a simple dtype string (structured arrays "
                         "are not supported)");
                h.descr = string_literal();
                have_descr = true;
            } else if (key == "fortran_order") {
                h.fortran_order = boolean();
                have_order = true;
            } else if (key == "shape") {
                h.shape = tuple();
                have_shape = true;
            } else {
                fail(name_, "header: unexpected key '" + key + "'");
            }
            skip_space();
            if (peek() == ',') {
                ++i_;
                continue;
            }
            expect('}');
            break;
        }
        skip_space();
        if (i_ != s_.size()) fail(name_, "header: unexpected text after the dictionary");
        if (!have_descr || !have_order || !have_shape)
            fail(name_, std::string("header: missing key '") +
                            (!have_descr   ? "descr"
                             : !have_order ? "fortran_order"
                                           : "shape") +
                            "'");
        return h;
    }

private:
    char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
    void skip_space() {
        while (i_ < s_.size() &&
               (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r'))
            ++i_;
    }
    void expect(char c) {
        skip_space();
        if (peek() != c) {
            std::string what = "header: malformed, expected '";
            what += c;
            what += "' at offset " + std::to_string(i_);
            fail(name_, what);
        }
        ++i_;
    }
    std::string string_literal() {
        skip_space();
        const char quote = peek();
        if (quote != '\'' && quote != '"')
            fail(name_,
                 "header: malformed, expected a quoted string at offset " + std::to_string(i_));
        const std::size_t start = ++i_;
        while (i_ < s_.size() && s_[i_] != quote) ++i_;
        if (i_ == s_.size()) fail(name_, "header: malformed, unterminated string");
        return std::string(s_.substr(start, i_++ - start));
    }
    bool boolean() {
        skip_space();
        if (s_.substr(i_, 4) == "True") {
            i_ += 4;
            return true;
        }
        if (s_.substr(i_, 5) == "False") {
            i_ += 5;
            return false;
        }
        fail(name_, "header: 'fortran_order' must be True or False");
    }
    std::vector<Index> tuple() {
        expect('(');
        std::vector<Index> dims;
        while (true) {
            skip_space();
            if (peek() == ')') {
                ++i_;
                return dims;
            }
            if (peek() < '0' || peek() > '9')
                fail(name_, "header: 'shape' must be a tuple of non-negative integers");
            std::uint64_t v = 0;
            while (peek() >= '0' && peek() <= '9') {
                const auto digit = std::uint64_t(peek() - '0');
                if (v > (std::uint64_t(std::numeric_limits<Index>::max()) - digit) / 10)
                    fail(name_, "header: a 'shape' entry is too large");
                v = v * 10 + digit;
                ++i_;
            }
            skip_space();
            if (peek() == 'L') ++i_;  // Python 2 long suffix
            dims.push_back(Index(v));
            skip_space();
            if (peek() == ',') {
                ++i_;
            } else if (peek() != ')') {
                fail(name_, "header: 'shape' must be a tuple of non-negative integers");
            }
        }
    }

    std::string_view s_;
    std::string_view name_;
    std::size_t i_ = 0;
};

inline std::uint32_t read_le(const unsigned char* p, int bytes) {
    std::uint32_t v = 0;
    for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
    return v;
}

template <class Dst, class Src>
void convert_elements(const unsigned char* src, std::size_t count, bool swap, Dst* out) {
    for (std::size_t i = 0; i < count; ++i) {
        unsigned char buf[sizeof(Src)];
        std::memcpy(buf, src + i * sizeof(Src), sizeof(Src));
        if (swap) std::reverse(buf, buf + sizeof(Src));
        Src v;
        std::memcpy(&v, buf, sizeof(Src));
        out[i] = static_cast<Dst>(v);
    }
}

/// Reorders a Fortran-order (column-major) array into C order in place.
template <class T>
void fortran_to_c(std::vector<T>& data, const std::vector<Index>& shape) {
    if (shape.size() < 2 || data.empty()) return;
    const std::size_t rank = shape.size();
    std::vector<T> out(data.size());
    std::vector<Index> idx(rank, 0);
    std::vector<std::size_t> fstride(rank, 1);
    for (std::size_t k = 1; k < rank; ++k) fstride[k] = fstride[k - 1] * std::size_t(shape[k - 1]);
    for (std::size_t c = 0; c < data.size(); ++c) {
        std::size_t f = 0;
        for (std::size_t k = 0; k < rank; ++k) f += std::size_t(idx[k]) * fstride[k];
        out[c] = data[f];
        for (std::size_t k = rank; k-- > 0;) {  // increment the C-order multi-index
            if (++idx[k] < shape[k]) break;
            idx[k] = 0;
        }
    }
    data.swap(out);
}

inline const char* type_label(const float*) { return "float32"; }
inline const char* type_label(const double*) { return "float64"; }
inline const char* type_label(const std::uint8_t*) { return "bool"; }

}  // namespace detail

/// \brief Parses and checks the header of the .npy bytes `bytes` (of `size` bytes); `name`
/// (a path or a key) appears in every error message.
inline Header parse_header(const unsigned char* bytes, std::size_t size, std::string_view name) {
    static constexpr unsigned char magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
    if (size < 10)
        detail::fail(name, "is not a .npy file: only " + std::to_string(size) + " bytes");
    if (std::memcmp(bytes, magic, 6) != 0)
        detail::fail(name, "is not a .npy file: bad magic string (expected \\x93NUMPY)");
    const int major = bytes[6], minor = bytes[7];
    if (!((major == 1 || major == 2 || major == 3) && minor == 0))
        detail::fail(name, "unsupported .npy format version " + std::to_string(major) + "." +
                               std::to_string(minor) + " (1.0, 2.0 and 3.0 are read)");
    const int length_bytes = major == 1 ? 2 : 4;
    if (size < std::size_t(8 + length_bytes))
        detail::fail(name, "is truncated inside the header length");
    const std::size_t header_len = detail::read_le(bytes + 8, length_bytes);
    const std::size_t offset = std::size_t(8 + length_bytes) + header_len;
    if (offset > size)
        detail::fail(name, "is truncated: the header declares " + std::to_string(header_len) +
                               " bytes, only " +
                               std::to_string(size - std::size_t(8 + length_bytes)) + " follow");
    std::string_view text(reinterpret_cast<const char*>(bytes + 8 + length_bytes), header_len);
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\0'))
        text.remove_suffix(1);
    Header h = detail::HeaderParser(text, name).parse();
    h.data_offset = offset;

    // dtype: [<>|=] kind size, e.g. "<f8", "|b1"
    const std::string& d = h.descr;
    if (d.size() < 3 || std::string_view("<>|=").find(d[0]) == std::string_view::npos)
        detail::fail(name, "unsupported dtype '" + d + "'");
    h.byte_order = d[0];
    if (h.byte_order == '=') h.byte_order = std::endian::native == std::endian::little ? '<' : '>';
    h.kind = d[1];
    std::size_t item = 0;
    for (std::size_t i = 2; i < d.size(); ++i) {
        if (d[i] < '0' || d[i] > '9' || item > 1024)
            detail::fail(name, "unsupported dtype '" + d + "'");
        item = item * 10 + std::size_t(d[i] - '0');
    }
    if (item == 0) detail::fail(name, "unsupported dtype '" + d + "'");
    h.item_size = item;

    // element count, overflow-checked, then against the bytes actually present
    const std::size_t available = size - offset;
    std::size_t count = 1;
    const bool empty = std::find(h.shape.begin(), h.shape.end(), Index(0)) != h.shape.end();
    if (empty) {
        count = 0;
    } else {
        for (const Index dim : h.shape) {
            if (count > std::numeric_limits<std::size_t>::max() / item / std::size_t(dim))
                detail::fail(name, "header: shape " + shape_string(h.shape) + " is too large");
            count *= std::size_t(dim);
        }
    }
    h.count = count;
    if (count * item > available)
        detail::fail(name, "is truncated: shape " + shape_string(h.shape) + " of '" + d +
                               "' needs " + std::to_string(count * item) + " data bytes, only " +
                               std::to_string(available) + " present");
    if (count * item != available)
        detail::fail(name, "has " + std::to_string(available - count * item) +
                               " unexpected bytes after the data of shape " +
                               shape_string(h.shape));
    return h;
}

/// \brief Decodes .npy bytes held in memory into an Array<T> (see the file comment for the
/// accepted dtypes); `name` appears in every error message.
template <class T>
Array<T> parse(const unsigned char* bytes, std::size_t size, std::string_view name,
               ReadOptions options = {}) {
    static_assert(
        std::is_same_v<T, float> || std::is_same_v<T, double> || std::is_same_v<T, std::uint8_t>,
        "npy::parse reads float, double or std::uint8_t (boolean masks)");
    const Header h = parse_header(bytes, size, name);
    const bool swap =
        h.item_size > 1 && (h.byte_order == '<') != (std::endian::native == std::endian::little);
    const unsigned char* src = bytes + h.data_offset;
    Array<T> out;
    out.shape = h.shape;
    out.data.resize(h.count);
    auto wrong_dtype = [&](const std::string& expected) {
        detail::fail(name, "has dtype '" + h.descr + "', which cannot be read as " +
                               detail::type_label(static_cast<const T*>(nullptr)) + " (expected " +
                               expected + ")");
    };
    if constexpr (std::is_same_v<T, std::uint8_t>) {
        if (!((h.kind == 'b' || h.kind == 'u' || h.kind == 'i') && h.item_size == 1))
            wrong_dtype("'|b1' or '|u1'");
        for (std::size_t i = 0; i < h.count; ++i) out.data[i] = src[i] != 0 ? 1 : 0;
    } else {
        const std::size_t want = sizeof(T);
        if (h.kind != 'f' || (h.item_size != 4 && h.item_size != 8))
            wrong_dtype(want == 4 ? "'<f4'" : "'<f8'");
        if (!options.convert && h.item_size != want)
            wrong_dtype(want == 4 ? "'<f4' exactly" : "'<f8' exactly");
        if (h.item_size == 4)
            detail::convert_elements<T, float>(src, h.count, swap, out.data.data());
        else
            detail::convert_elements<T, double>(src, h.count, swap, out.data.data());
    }
    if (h.fortran_order) detail::fortran_to_c(out.data, out.shape);
    return out;
}

/// \brief Reads the whole file (its size is checked first; nothing beyond it is read).
inline std::vector<unsigned char> read_file(const std::filesystem::path& path) {
    std::error_code ec;
    const std::string name = path.string();
    if (!std::filesystem::is_regular_file(path, ec))
        detail::fail(name, "does not exist or is not a regular file");
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) detail::fail(name, "cannot be read: " + ec.message());
    std::ifstream in(path, std::ios::binary);
    if (!in) detail::fail(name, "cannot be opened");
    std::vector<unsigned char> bytes(static_cast<std::size_t>(size));
    if (size > 0 && !in.read(reinterpret_cast<char*>(bytes.data()), std::streamsize(size)))
        detail::fail(name, "cannot be read to the end");
    return bytes;
}

/// \brief Loads a .npy file as Array<T> (float, double, or std::uint8_t for boolean masks).
template <class T>
Array<T> load(const std::filesystem::path& path, ReadOptions options = {}) {
    const auto bytes = read_file(path);
    return parse<T>(bytes.data(), bytes.size(), path.string(), options);
}

/// \brief Writes `values` (prod(shape) of them, row-major) as a version 1.0 .npy file:
/// '<f4' for float, '<f8' for double, '|b1' for std::uint8_t (nonzero = True).
template <class T>
void save(const std::filesystem::path& path, const std::vector<Index>& shape, const T* values) {
    static_assert(std::is_same_v<T, float> || std::is_same_v<T, double> ||
                  std::is_same_v<T, std::uint8_t>);
    std::size_t count = 1;
    for (const Index d : shape) {
        if (d < 0)
            throw invalid_argument("npy::save", "shape", shape_string(shape), "must be >= 0");
        count *= std::size_t(d);
    }
    const char* descr = std::is_same_v<T, float>    ? "<f4"
                        : std::is_same_v<T, double> ? "<f8"
                                                    : "|b1";
    std::string header = std::string("{'descr': '") + descr +
                         "', 'fortran_order': False, 'shape': " + shape_string(shape) + ", }";
    const std::size_t unpadded = 10 + header.size() + 1;
    header.append((64 - unpadded % 64) % 64, ' ');
    header.push_back('\n');
    if (header.size() > 65535)
        throw invalid_argument("npy::save", "shape", shape_string(shape),
                               "gives a header too long for format 1.0");
    std::ofstream out(path, std::ios::binary);
    if (!out) throw invalid_argument("npy::save", "file", path.string(), "cannot be created");
    const unsigned char pre[10] = {0x93,
                                   'N',
                                   'U',
                                   'M',
                                   'P',
                                   'Y',
                                   1,
                                   0,
                                   static_cast<unsigned char>(header.size() & 0xff),
                                   static_cast<unsigned char>(header.size() >> 8)};
    out.write(reinterpret_cast<const char*>(pre), 10);
    out.write(header.data(), std::streamsize(header.size()));
    for (std::size_t i = 0; i < count; ++i) {
        unsigned char buf[sizeof(T)];
        if constexpr (std::is_same_v<T, std::uint8_t>) {
            buf[0] = values[i] != 0 ? 1 : 0;
        } else {
            std::memcpy(buf, &values[i], sizeof(T));
            if constexpr (std::endian::native == std::endian::big)
                std::reverse(buf, buf + sizeof(T));
        }
        out.write(reinterpret_cast<const char*>(buf), sizeof(T));
    }
    if (!out) throw invalid_argument("npy::save", "file", path.string(), "could not be written");
}

}  // namespace hopfield::npy
