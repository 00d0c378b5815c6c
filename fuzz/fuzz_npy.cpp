// libFuzzer target: the .npy reader (include/hopfield/io/npy.hpp) on arbitrary bytes.
//
// Input: byte 0 picks the element type (float, double, or std::uint8_t masks) and
// ReadOptions::convert; the rest is the file. The bytes are handed over in a buffer of exactly
// their size, so AddressSanitizer catches any read past the end. Checked:
//   - refusal is a hopfield::invalid_argument (npy::file_error) naming npy::load and the file,
//     never a crash, another exception, an over-read or a huge allocation (-rss_limit_mb);
//   - success means a well-formed file: the header's data offset + count * item size is
//     exactly the size, data.size() == prod(shape), and for C-order little-endian arrays of
//     the requested type every value equals the bytes of the file (bit for bit);
//   - small arrays survive a save / load round trip bit for bit (the writer, the file reader).

#include <hopfield/io/npy.hpp>
#include <unistd.h>

#include "fuzz_common.hpp"

namespace {

template <class T>
void check(const std::uint8_t* file, std::size_t size, bool convert) {
    namespace npy = hopfield::npy;
    npy::Array<T> a;
    try {
        a = npy::parse<T>(file, size, "fuzz.npy", {.convert = convert});
    } catch (const hopfield::invalid_argument& e) {
        const std::string what = e.what();
        FUZZ_CHECK(what.find("npy::load") != std::string::npos &&
                       what.find("fuzz.npy") != std::string::npos,
                   "error message does not name the reader and the file: " + what);
        return;
    }
    const npy::Header h = npy::parse_header(file, size, "fuzz.npy");  // must agree: no throw
    std::size_t count = 1;
    for (const auto d : a.shape) {
        FUZZ_CHECK(d >= 0, "negative dimension");
        count *= std::size_t(d);
    }
    FUZZ_CHECK(a.shape == h.shape, "shape differs from the header's");
    FUZZ_CHECK(a.data.size() == count && h.count == count, "data size != prod(shape)");
    FUZZ_CHECK(h.data_offset + count * h.item_size == size,
               "accepted a file whose size does not match");
    if constexpr (std::is_same_v<T, std::uint8_t>) {
        for (std::size_t i = 0; i < count; ++i) FUZZ_CHECK(a.data[i] <= 1, "mask value not 0/1");
    } else {
        const bool plain = h.byte_order == '<' && h.item_size == sizeof(T) && !h.fortran_order;
        if (plain)
            FUZZ_CHECK(fuzz::same_bytes(reinterpret_cast<const unsigned char*>(a.data.data()),
                                        file + h.data_offset, count * sizeof(T)),
                       "values differ from the file's bytes");
    }
    // Round trip through the writer and the file reader for small arrays.
    if (count <= 64 && a.shape.size() <= 4) {
        // One scratch file per process, removed at exit (libFuzzer ends with exit()).
        struct Scratch {
            std::string path = "/tmp/hopfield_fuzz_npy_" + std::to_string(::getpid()) + ".npy";
            ~Scratch() { std::remove(path.c_str()); }
        };
        static const Scratch scratch;
        const std::string& path = scratch.path;
        npy::save(path, a.shape, a.data.data());
        const auto b = npy::load<T>(path, {.convert = false});
        FUZZ_CHECK(b.shape == a.shape, "round trip shape");
        FUZZ_CHECK(fuzz::same_bytes(b.data.data(), a.data.data(), count), "round trip values");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::uint8_t head = data[0];
    // A copy of exactly the file's size, so ASan flags a read of even one byte past it.
    std::vector<std::uint8_t> file(data + 1, data + size);
    const std::uint8_t* bytes = file.empty() ? nullptr : file.data();
    const bool convert = head & 4;
    switch (head % 3) {
        case 0:
            check<float>(bytes, file.size(), convert);
            break;
        case 1:
            check<double>(bytes, file.size(), convert);
            break;
        default:
            check<std::uint8_t>(bytes, file.size(), convert);
            break;
    }
    return 0;
}
