// libFuzzer target: PatternMemory and PatternView under arbitrary sequences of operations with
// arbitrary arguments (negative sizes, out-of-range indices, NaN / inf values, null buffers),
// checked against a plain std::vector model of the same memory.
//
// Input: byte 0 bit 0 picks double (else float), byte 1 the dimension (0..16: 0 must be
// refused); then operations, one control byte each:
//   0 add a pattern of a given length (== dim or not) whose values may be non-finite
//   1 remove(mu) for any mu in [-3, size + 2]
//   2 pattern(mu) for any mu (checked accessor)
//   3 from_buffer(data or nullptr, size, dim) with arbitrary (possibly negative) shape
//   4 PatternView(data or nullptr, rows, cols) with arbitrary shape
//   5 construct from a moved matrix / an Eigen expression, possibly with a NaN or no column
// Every refused call must throw hopfield::invalid_argument naming the argument and leave the
// memory unchanged; every accepted one must match the model.

#include <hopfield/memory/pattern_memory.hpp>

#include "fuzz_common.hpp"

namespace {

using hopfield::Index;

template <class Scalar>
Scalar value(fuzz::Bytes& in) {
    const std::uint8_t c = in.byte();
    switch (c % 8) {
        case 0:
            return std::numeric_limits<Scalar>::quiet_NaN();
        case 1:
            return std::numeric_limits<Scalar>::infinity();
        case 2:
            return -std::numeric_limits<Scalar>::infinity();
        case 3:
            return std::numeric_limits<Scalar>::max();
        case 4:
            return std::numeric_limits<Scalar>::denorm_min();
        default:
            return Scalar(static_cast<std::int8_t>(in.byte()));
    }
}

template <class Scalar>
bool all_finite(const std::vector<Scalar>& v) {
    return std::all_of(v.begin(), v.end(), [](Scalar x) { return std::isfinite(x); });
}

template <class Scalar>
void check_equal(const hopfield::PatternMemory<Scalar>& mem,
                 const std::vector<std::vector<Scalar>>& model, Index dim) {
    FUZZ_CHECK(mem.size() == Index(model.size()),
               "size " + std::to_string(mem.size()) + " vs " + std::to_string(model.size()));
    FUZZ_CHECK(mem.dim() == dim, "dim changed");
    FUZZ_CHECK(mem.empty() == model.empty(), "empty()");
    const hopfield::PatternView<Scalar> view = mem;
    FUZZ_CHECK(view.size() == mem.size() && view.dim() == dim && view.data() == mem.data(), "view");
    for (std::size_t mu = 0; mu < model.size(); ++mu)
        for (Index i = 0; i < dim; ++i)
            FUZZ_CHECK(mem.data()[Index(mu) * dim + i] == model[mu][std::size_t(i)],
                       "value mismatch");
}

template <class Scalar>
void run(fuzz::Bytes& in) {
    const Index dim = in.byte() % 17;
    if (dim == 0) {
        fuzz::expect_invalid_argument([&] { hopfield::PatternMemory<Scalar> m(dim); }, {"'dim'"},
                                      "dim 0");
        return;
    }
    hopfield::PatternMemory<Scalar> mem(dim);
    std::vector<std::vector<Scalar>> model;
    int ops = 0;
    while (in.remaining() > 0 && ops++ < 64) {
        const std::uint8_t op = in.byte();
        switch (op % 6) {
            case 0: {  // add
                const Index len = (op & 0x80) ? Index(in.byte() % 20) : dim;
                std::vector<Scalar> p(static_cast<std::size_t>(len));
                for (auto& v : p) v = value<Scalar>(in);
                const Eigen::Map<const hopfield::Vector<Scalar>> pv(p.data(), len);
                if (len != dim) {
                    fuzz::expect_invalid_argument([&] { mem.add(pv); }, {"'pattern.size()'"},
                                                  "add wrong size");
                } else if (!all_finite(p)) {
                    fuzz::expect_invalid_argument([&] { mem.add(pv); }, {"'pattern'", "element"},
                                                  "add non-finite");
                } else {
                    mem.add(pv);
                    model.push_back(p);
                }
                break;
            }
            case 1: {  // remove
                const Index mu = Index(in.byte() % (model.size() + 6)) - 3;
                if (mu < 0 || mu >= Index(model.size())) {
                    fuzz::expect_invalid_argument([&] { mem.remove(mu); }, {"'mu'"},
                                                  "remove out of range");
                } else {
                    mem.remove(mu);
                    model.erase(model.begin() + mu);
                }
                break;
            }
            case 2: {  // pattern(mu)
                const Index mu = Index(in.byte() % (model.size() + 6)) - 3;
                if (mu < 0 || mu >= Index(model.size())) {
                    fuzz::expect_invalid_argument([&] { (void)mem.pattern(mu); }, {"'mu'"},
                                                  "pattern out of range");
                } else {
                    const auto row = mem.pattern(mu);
                    for (Index i = 0; i < dim; ++i)
                        FUZZ_CHECK(row[i] == model[std::size_t(mu)][std::size_t(i)], "pattern()");
                }
                break;
            }
            case 3:
            case 4: {  // from_buffer / PatternView on a buffer of 0..63 values
                std::vector<Scalar> buf(in.byte() % 64);
                for (auto& v : buf) v = value<Scalar>(in);
                const Index rows = Index(static_cast<std::int8_t>(in.byte()));
                const Index cols = Index(static_cast<std::int8_t>(in.byte()));
                const bool null = (op & 0x40) != 0;
                const Scalar* data = null ? nullptr : buf.data();
                // Only call with shapes that fit the buffer (a larger shape would be the
                // caller's out-of-bounds read, which no library can detect).
                if (rows > 0 && cols > 0 && !null && rows * cols > Index(buf.size())) break;
                const bool bad_shape = rows < 0 || cols < 0;
                const bool bad_null = !bad_shape && null && rows * cols != 0;
                bool finite = true;
                if (!bad_shape && !null)
                    for (Index k = 0; k < rows * cols; ++k)
                        finite &= std::isfinite(buf[std::size_t(k)]);
                if (op % 6 == 3) {
                    const bool bad_dim =
                        !bad_shape && !bad_null && cols == 0;  // a memory needs dim > 0
                    if (bad_shape || bad_null || !finite || bad_dim) {
                        fuzz::expect_invalid_argument(
                            [&] {
                                (void)hopfield::PatternMemory<Scalar>::from_buffer(data, rows,
                                                                                   cols);
                            },
                            {"PatternMemory::from_buffer: argument"}, "from_buffer refused");
                    } else {
                        const auto copy =
                            hopfield::PatternMemory<Scalar>::from_buffer(data, rows, cols);
                        FUZZ_CHECK(copy.size() == rows && copy.dim() == cols, "from_buffer shape");
                        FUZZ_CHECK(rows == 0 || copy.data() != data, "from_buffer must copy");
                        FUZZ_CHECK(fuzz::same_bytes(copy.data(), data, std::size_t(rows * cols)),
                                   "from_buffer values");
                    }
                } else {
                    if (bad_shape || bad_null || !finite) {
                        fuzz::expect_invalid_argument(
                            [&] { (void)hopfield::PatternView<Scalar>(data, rows, cols); },
                            {"PatternView", "argument"}, "PatternView refused");
                    } else {
                        const hopfield::PatternView<Scalar> view(data, rows, cols);
                        FUZZ_CHECK(view.size() == rows && view.dim() == cols && view.data() == data,
                                   "PatternView shape");
                    }
                }
                break;
            }
            default: {  // construct from a matrix, moved or copied
                const Index rows = in.byte() % 5, cols = in.byte() % 5;
                hopfield::RowMatrix<Scalar> M(rows, cols);
                bool finite = true;
                for (Index k = 0; k < M.size(); ++k)
                    finite &= std::isfinite(M.data()[k] = value<Scalar>(in));
                if (cols == 0 || !finite) {
                    if (op & 0x80)
                        fuzz::expect_invalid_argument(
                            [&] { hopfield::PatternMemory<Scalar> m(std::move(M)); }, {"'patterns"},
                            "moved matrix");
                    else
                        fuzz::expect_invalid_argument(
                            [&] { hopfield::PatternMemory<Scalar> m(M.transpose().transpose()); },
                            {"'patterns"}, "copied expression");
                } else {
                    const hopfield::PatternMemory<Scalar> m(M.transpose().transpose());
                    FUZZ_CHECK(m.matrix() == M, "copied memory");
                }
                break;
            }
        }
        check_equal(mem, model, dim);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::Bytes in(data, size);
    if (in.byte() & 1)
        run<double>(in);
    else
        run<float>(in);
    return 0;
}
