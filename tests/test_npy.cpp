// The .npy reader: every format version, byte order, Fortran order, dtype conversion, and a
// clear error naming the file for every malformed input (bytes built by hand, so each defect
// is exactly the one under test); files written by numpy (the committed reference data) and
// round trips through npy::save.

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <hopfield/io/npy.hpp>
#include <limits>
#include <string>
#include <vector>

#include "reference/fixtures.hpp"

namespace npy = hopfield::npy;
using Catch::Contains;
using hopfield::Index;

namespace {

using Bytes = std::vector<unsigned char>;

/// A .npy file: magic, version, header length (2 or 4 bytes), header text, then `data`.
Bytes npy_bytes(const std::string& header, const Bytes& data, int major = 1, bool pad = true) {
    std::string h = header;
    const std::size_t prefix = major == 1 ? 10 : 12;
    if (pad) {
        while ((prefix + h.size() + 1) % 64 != 0) h += ' ';
        h += '\n';
    }
    Bytes out = {0x93, 'N', 'U', 'M', 'P', 'Y', static_cast<unsigned char>(major), 0};
    const std::size_t n = h.size();
    out.push_back(static_cast<unsigned char>(n & 0xff));
    out.push_back(static_cast<unsigned char>((n >> 8) & 0xff));
    if (major != 1) {
        out.push_back(static_cast<unsigned char>((n >> 16) & 0xff));
        out.push_back(static_cast<unsigned char>((n >> 24) & 0xff));
    }
    out.insert(out.end(), h.begin(), h.end());
    out.insert(out.end(), data.begin(), data.end());
    return out;
}

template <class T>
Bytes raw(const std::vector<T>& values, bool big_endian = false) {
    Bytes out(values.size() * sizeof(T));
    std::memcpy(out.data(), values.data(), out.size());
    if (big_endian)
        for (std::size_t i = 0; i < values.size(); ++i)
            std::reverse(out.begin() + long(i * sizeof(T)),
                         out.begin() + long((i + 1) * sizeof(T)));
    return out;
}

std::string header(const std::string& descr, const std::string& shape, bool fortran = false) {
    return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") +
           ", 'shape': " + shape + ", }";
}

template <class T>
npy::Array<T> parse(const Bytes& b, npy::ReadOptions o = {}) {
    return npy::parse<T>(b.data(), b.size(), "buffer.npy", o);
}

}  // namespace

TEST_CASE("npy: float arrays in every version, byte order and layout", "[npy]") {
    const std::vector<float> v = {1.5f, -2.f, 3.25f, 4.f, 5.f, -6.5f};
    for (const int major : {1, 2, 3}) {
        CAPTURE(major);
        const auto a = parse<float>(npy_bytes(header("<f4", "(2, 3)"), raw(v), major));
        CHECK(a.shape == std::vector<Index>{2, 3});
        CHECK(a.data == v);
    }
    // big-endian, converted to double
    const auto be = parse<double>(npy_bytes(header(">f4", "(6,)"), raw(v, true)));
    CHECK(be.data == std::vector<double>(v.begin(), v.end()));
    const std::vector<double> d = {0.1, 0.2, 0.3};
    CHECK(parse<double>(npy_bytes(header(">f8", "(3,)"), raw(d, true))).data == d);
    CHECK(parse<double>(npy_bytes(header("=f8", "(3,)"), raw(d))).data == d);
    // f8 -> float converts (rounding), unless conversion is refused
    const auto f = parse<float>(npy_bytes(header("<f8", "(3,)"), raw(d)));
    CHECK(f.data == std::vector<float>{0.1f, 0.2f, 0.3f});
    CHECK_THROWS_WITH(parse<float>(npy_bytes(header("<f8", "(3,)"), raw(d)), {.convert = false}),
                      Contains("buffer.npy") && Contains("'<f8'") && Contains("float32"));
    // Fortran order is returned in C order: F data of [[1, 2, 3], [4, 5, 6]] is 1 4 2 5 3 6
    const auto fo = parse<float>(
        npy_bytes(header("<f4", "(2, 3)", true), raw(std::vector<float>{1, 4, 2, 5, 3, 6})));
    CHECK(fo.data == std::vector<float>{1, 2, 3, 4, 5, 6});
    std::vector<float> f3(24), c3(24);
    for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 3; ++j)
            for (int k = 0; k < 4; ++k) {
                c3[std::size_t((i * 3 + j) * 4 + k)] = float(100 * i + 10 * j + k);
                f3[std::size_t(i + 2 * (j + 3 * k))] = float(100 * i + 10 * j + k);
            }
    CHECK(parse<float>(npy_bytes(header("<f4", "(2, 3, 4)", true), raw(f3))).data == c3);
    // 0-d and empty arrays; an unpadded header; double quotes and no trailing comma
    const auto scalar =
        parse<double>(npy_bytes(header("<f8", "()"), raw(std::vector<double>{7.0})));
    CHECK(scalar.shape.empty());
    CHECK(scalar.data == std::vector<double>{7.0});
    CHECK(parse<float>(npy_bytes(header("<f4", "(0, 5)"), {})).data.empty());
    CHECK(parse<float>(npy_bytes("{\"descr\": \"<f4\", \"shape\": (2,), \"fortran_order\": False}",
                                 raw(std::vector<float>{1, 2}), 1, false))
              .data == std::vector<float>{1, 2});
}

TEST_CASE("npy: boolean masks from bool and uint8 arrays", "[npy]") {
    CHECK(parse<std::uint8_t>(npy_bytes(header("|b1", "(4,)"), {1, 0, 0, 1})).data ==
          std::vector<std::uint8_t>{1, 0, 0, 1});
    CHECK(parse<std::uint8_t>(npy_bytes(header("|u1", "(3,)"), {0, 9, 255})).data ==
          std::vector<std::uint8_t>{0, 1, 1});
    CHECK_THROWS_WITH(
        parse<std::uint8_t>(npy_bytes(header("<f4", "(1,)"), raw(std::vector<float>{1}))),
        Contains("'<f4'") && Contains("bool"));
    CHECK_THROWS_WITH(parse<float>(npy_bytes(header("|b1", "(1,)"), {1})),
                      Contains("'|b1'") && Contains("float32"));
}

TEST_CASE("npy: every malformed input is a clear error naming the file", "[npy]") {
    const Bytes good = npy_bytes(header("<f4", "(2, 2)"), raw(std::vector<float>{1, 2, 3, 4}));
    auto fails = [](const Bytes& b, const std::string& what) {
        CAPTURE(what);
        CHECK_THROWS_AS(parse<float>(b), hopfield::invalid_argument);
        CHECK_THROWS_WITH(parse<float>(b), Contains("buffer.npy") && Contains(what));
    };
    fails(Bytes(good.begin(), good.begin() + 5), "only 5 bytes");
    Bytes magic = good;
    magic[1] = 'M';
    fails(magic, "bad magic");
    Bytes version = good;
    version[6] = 4;
    fails(version, "version 4.0");
    fails(Bytes(good.begin(), good.begin() + 60), "header declares");  // header cut
    fails(Bytes(good.begin(), good.end() - 1), "is truncated");        // data cut
    Bytes extra = good;
    extra.push_back(0);
    fails(extra, "1 unexpected bytes");
    fails(npy_bytes(header("<i8", "(2,)"), raw(std::vector<std::int64_t>{1, 2})), "dtype '<i8'");
    fails(npy_bytes(header("<c8", "(1,)"), Bytes(8)), "dtype '<c8'");
    fails(npy_bytes("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", Bytes(4)),
          "structured");
    fails(npy_bytes("{'descr': '<f4', 'shape': (1,), }", Bytes(4)), "missing key 'fortran_order'");
    fails(npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}", Bytes(4)),
          "unexpected key 'x'");
    fails(npy_bytes("{'descr': '<f4', 'fortran_order': maybe, 'shape': (1,), }", Bytes(4)),
          "True or False");
    fails(npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1, -2), }", Bytes(4)),
          "non-negative integers");
    fails(npy_bytes("{'descr': '<f4, 'fortran_order': False, 'shape': (1,), }", Bytes(4)),
          "malformed");
    fails(npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1,) ", Bytes(4)),
          "malformed");
    fails(npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} trailing", Bytes(4)),
          "after the dictionary");
    fails(npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }",
                    Bytes(4)),
          "too large");
    fails(npy_bytes(header("<f4", "(4294967296, 4294967296)"), Bytes(4)), "too large");
    fails(npy_bytes(header("<f4", "(1000000, 1000000)"), Bytes(4)), "is truncated");
    fails(npy_bytes(header("<f", "(1,)"), Bytes(4)), "unsupported dtype");
    // a header length pointing past the end of the file
    Bytes long_header = good;
    long_header[8] = 0xff;
    long_header[9] = 0xff;
    fails(long_header, "header declares 65535 bytes");
}

TEST_CASE("npy: files written by numpy, save / load round trips, and file errors", "[npy]") {
    // a committed file written by numpy.save in tests/reference/generate.py
    const auto input = npy::load<double>(fixtures::reference_dir() / "default_self" / "input.npy");
    CHECK(input.shape == std::vector<Index>{2, 5, 8});
    const auto as_float =
        npy::load<float>(fixtures::reference_dir() / "default_self" / "input.npy");
    for (std::size_t i = 0; i < input.data.size(); ++i)
        CHECK(double(as_float.data[i]) == input.data[i]);  // float32-exact

    const auto dir = std::filesystem::temp_directory_path() / "hopfield_test_npy";
    std::filesystem::create_directories(dir);
    const std::vector<double> values = {1, -2.5, 3e-300, std::numeric_limits<double>::max(),
                                        0, -0.0};
    npy::save(dir / "a.npy", {2, 3}, values.data());
    const auto back = npy::load<double>(dir / "a.npy");
    CHECK(back.shape == std::vector<Index>{2, 3});
    CHECK(back.data == values);
    const std::vector<std::uint8_t> mask = {1, 0, 1};
    npy::save(dir / "m.npy", {3}, mask.data());
    CHECK(npy::load<std::uint8_t>(dir / "m.npy").data == mask);
    CHECK_THROWS_WITH(npy::load<float>(dir / "missing.npy"),
                      Contains("missing.npy") && Contains("does not exist"));
    CHECK_THROWS_WITH(npy::load<float>(dir), Contains("not a regular file"));
    std::filesystem::remove_all(dir);
}
