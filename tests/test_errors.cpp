// The error-path audit (docs/errors.md), one check per row: every public function that can
// receive bad input, called with each kind of bad value, must throw hopfield::invalid_argument
// (a std::invalid_argument) whose message starts "<function>: argument '<arg>' = <value>".
// The row ids (E01, S01, ...) are the ones of the table in docs/errors.md.

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <hopfield/hopfield.hpp>
#include <limits>
#include <string>
#include <vector>
#if __has_include(<hopfield/io/npy.hpp>)
#include <hopfield/io/npy.hpp>
#define HOPFIELD_AUDIT_NPY 1
#endif

using hopfield::Index;

namespace {

// f() must throw hopfield::invalid_argument whose message starts with `prefix`.
template <class F>
void row(const char* id, F&& f, const std::string& prefix) {
    INFO("audit row " << id);
    try {
        f();
        FAIL_CHECK(id << ": no exception, expected \"" << prefix << "...\"");
    } catch (const hopfield::invalid_argument& e) {
        CHECK_THAT(std::string(e.what()), Catch::StartsWith(prefix));
        // the standard base catches it too
        const std::invalid_argument& base = e;
        CHECK(std::string(base.what()) == e.what());
    }
}

constexpr float fnan = std::numeric_limits<float>::quiet_NaN();
constexpr float finf = std::numeric_limits<float>::infinity();
constexpr double dnan = std::numeric_limits<double>::quiet_NaN();
constexpr double dinf = std::numeric_limits<double>::infinity();

}  // namespace

TEST_CASE("error audit: core and memory", "[errors]") {
    std::vector<float> buf{1, 2, 3, 4, 5, 6};
    row(
        "E01", [&] { hopfield::PatternView<float>(buf.data(), -1, 3); },
        "PatternView: argument 'rows' = -1");
    row(
        "E02", [&] { hopfield::PatternView<float>(buf.data(), 2, -3); },
        "PatternView: argument 'cols' = -3");
    row(
        "E03", [&] { hopfield::PatternView<float>(nullptr, 2, 3); },
        "PatternView: argument 'data' = nullptr");
    std::vector<float> nan_buf = buf;
    nan_buf[4] = fnan;
    row(
        "E04", [&] { hopfield::PatternView<float>(nan_buf.data(), 2, 3); },
        "PatternView: argument 'patterns' = nan: must be finite, but element 4 is not");
    hopfield::RowMatrix<double> inf_m = hopfield::RowMatrix<double>::Zero(2, 2);
    inf_m(1, 0) = -dinf;
    row(
        "E05", [&] { const hopfield::PatternView<double> v(inf_m); },
        "PatternView: argument 'patterns' = -inf");

    row(
        "E06", [] { hopfield::PatternMemory<float>(0); }, "PatternMemory: argument 'dim' = 0");
    row(
        "E07", [] { hopfield::PatternMemory<double>(-2); }, "PatternMemory: argument 'dim' = -2");
    row(
        "E08", [] { hopfield::PatternMemory<float>(hopfield::RowMatrix<float>(2, 0)); },
        "PatternMemory: argument 'patterns.cols()' = 0");
    row(
        "E09",
        [] {
            hopfield::RowMatrix<float> m = hopfield::RowMatrix<float>::Ones(2, 2);
            m(0, 1) = fnan;
            hopfield::PatternMemory<float> mem(std::move(m));
        },
        "PatternMemory: argument 'patterns' = nan");
    row(
        "E10", [] { hopfield::PatternMemory<double> mem(Eigen::MatrixXd::Constant(2, 2, -dinf)); },
        "PatternMemory: argument 'patterns' = -inf");
    row(
        "E11", [&] { hopfield::PatternMemory<float>::from_buffer(buf.data(), -1, 3); },
        "PatternMemory::from_buffer: argument 'size' = -1");
    row(
        "E12", [&] { hopfield::PatternMemory<float>::from_buffer(buf.data(), 2, -3); },
        "PatternMemory::from_buffer: argument 'dim' = -3");
    row(
        "E13", [&] { hopfield::PatternMemory<float>::from_buffer(buf.data(), 2, 0); },
        "PatternMemory::from_buffer: argument 'dim' = 0");
    row(
        "E14", [] { hopfield::PatternMemory<float>::from_buffer(nullptr, 2, 3); },
        "PatternMemory::from_buffer: argument 'data' = nullptr");
    row(
        "E15", [&] { hopfield::PatternMemory<float>::from_buffer(nan_buf.data(), 2, 3); },
        "PatternMemory::from_buffer: argument 'data' = nan: must be finite, but element 4");

    hopfield::PatternMemory<float> mem(3);
    mem.add(Eigen::Vector3f(1, 2, 3));
    row(
        "E16", [&] { mem.add(Eigen::Vector4f::Ones()); },
        "PatternMemory::add: argument 'pattern.size()' = 4");
    row(
        "E17", [&] { mem.add(Eigen::Vector3f(1, finf, 3)); },
        "PatternMemory::add: argument 'pattern' = inf");
    row(
        "E18", [&] { mem.remove(-1); }, "PatternMemory::remove: argument 'mu' = -1");
    row(
        "E19", [&] { mem.remove(1); }, "PatternMemory::remove: argument 'mu' = 1");
    row(
        "E20", [&] { (void)mem.pattern(1); }, "PatternMemory::pattern: argument 'mu' = 1");
    row(
        "E21", [&] { (void)mem.pattern(-1); }, "PatternMemory::pattern: argument 'mu' = -1");
    // Failed calls leave the memory as it was.
    CHECK(mem.size() == 1);
    CHECK(mem.pattern(0) == Eigen::RowVector3f(1, 2, 3));

    // The bit-packed memory.
    row(
        "E22", [] { hopfield::BitPatternMemory m(0); }, "BitPatternMemory: argument 'dim' = 0");
    row(
        "E23", [] { hopfield::BitPatternMemory m(-4); }, "BitPatternMemory: argument 'dim' = -4");
    hopfield::RowMatrix<float> half = hopfield::RowMatrix<float>::Ones(2, 3);
    half(1, 2) = 0.5f;
    row(
        "E24", [&] { hopfield::BitPatternMemory m(half); },
        "BitPatternMemory: argument 'patterns' = 0.5: must be +1 or -1, but element 5 is not");
    hopfield::RowMatrix<double> nan_pm = hopfield::RowMatrix<double>::Ones(2, 3);
    nan_pm(0, 1) = dnan;
    // (an Eigen matrix goes through PatternView, which refuses non-finite values first)
    row(
        "E25", [&] { hopfield::BitPatternMemory m(nan_pm); },
        "PatternView: argument 'patterns' = nan: must be finite, but element 1 is not");
    hopfield::BitPatternMemory bits(3);
    bits.add(Eigen::Vector3f(1, -1, 1));
    row(
        "E26", [&] { bits.add(Eigen::Vector2f(1, 1)); },
        "BitPatternMemory::add: argument 'pattern.size()' = 2");
    row(
        "E27", [&] { bits.add(Eigen::Vector3f(1, 0, 1)); },
        "BitPatternMemory::add: argument 'pattern' = 0");
    row(
        "E28", [&] { bits.remove(1); }, "BitPatternMemory::remove: argument 'mu' = 1");
    row(
        "E29", [&] { (void)bits.pattern(1); }, "BitPatternMemory::pattern: argument 'mu' = 1");
    row(
        "E30", [&] { (void)bits.pattern(-1); }, "BitPatternMemory::pattern: argument 'mu' = -1");
    row(
        "E31", [] { (void)hopfield::BitPatternMemory(5).transposed(); },
        "BitPatternMemory::transposed: argument 'size()' = 0");
    CHECK(bits.size() == 1);
    CHECK(bits.pattern(0) == Eigen::Vector3f(1, -1, 1));

    // The bfloat16 memory.
    hopfield::RowMatrix<float> nan_f = hopfield::RowMatrix<float>::Ones(2, 3);
    nan_f(0, 1) = fnan;
    row(
        "E32", [&] { hopfield::Bf16PatternMemory m(nan_f); },
        "Bf16PatternMemory: argument 'patterns' = nan: must be finite within float's range, but "
        "element (0, 1) is not");
    // (a view that skipped its own scan: the memory checks every rounded value itself)
    const hopfield::PatternView<float> trusted_nan(nan_buf.data(), 2, 3,
                                                   hopfield::PatternView<float>::trusted);
    row(
        "E33", [&] { hopfield::Bf16PatternMemory m(trusted_nan); },
        "Bf16PatternMemory: argument 'patterns' = nan: must be finite and round to a finite "
        "bfloat16");
    hopfield::RowMatrix<float> big_f = hopfield::RowMatrix<float>::Ones(2, 3);
    big_f(1, 2) = std::numeric_limits<float>::max();
    row(
        "E34", [&] { hopfield::Bf16PatternMemory m(big_f); },
        "Bf16PatternMemory: argument 'patterns' = 3.40282347e+38: must be finite and round to a "
        "finite bfloat16");
    Eigen::MatrixXd big_d = Eigen::MatrixXd::Ones(2, 3);
    big_d(1, 0) = 1e39;
    row(
        "E35", [&] { hopfield::Bf16PatternMemory m(big_d); },
        "Bf16PatternMemory: argument 'patterns' = 1e+39: must be finite within float's range, "
        "but element (1, 0) is not");
    row(
        "E36", [] { hopfield::Bf16PatternMemory m(hopfield::RowMatrix<float>(2, 0)); },
        "Bf16PatternMemory: argument 'patterns.cols()' = 0");
    std::vector<std::uint16_t> h16(6, 0x3f80u);
    row(
        "E37", [&] { (void)hopfield::Bf16PatternMemory::from_bits(h16.data(), -1, 3); },
        "Bf16PatternMemory::from_bits: argument 'size' = -1");
    row(
        "E38", [&] { (void)hopfield::Bf16PatternMemory::from_bits(h16.data(), 2, 0); },
        "Bf16PatternMemory::from_bits: argument 'dim' = 0");
    row(
        "E39", [&] { (void)hopfield::Bf16PatternMemory::from_bits(h16.data(), 2, -3); },
        "Bf16PatternMemory::from_bits: argument 'dim' = -3");
    row(
        "E40", [] { (void)hopfield::Bf16PatternMemory::from_bits(nullptr, 2, 3); },
        "Bf16PatternMemory::from_bits: argument 'bits' = nullptr");
    std::vector<std::uint16_t> inf16 = h16, nan16 = h16;
    inf16[4] = 0x7f80u;
    nan16[5] = 0x7fc0u;
    row(
        "E41", [&] { (void)hopfield::Bf16PatternMemory::from_bits(inf16.data(), 2, 3); },
        "Bf16PatternMemory::from_bits: argument 'bits' = inf: must be finite, but element (1, 1) "
        "is not");
    row(
        "E42", [&] { (void)hopfield::Bf16PatternMemory::from_bits(nan16.data(), 2, 3); },
        "Bf16PatternMemory::from_bits: argument 'bits' = nan: must be finite, but element (1, 2) "
        "is not");
    const hopfield::Bf16PatternMemory b16(Eigen::RowVector3f(1, 2, 3));
    row(
        "E43", [&] { (void)b16.pattern(1); }, "Bf16PatternMemory::pattern: argument 'mu' = 1");
    row(
        "E44", [&] { (void)b16.pattern(-1); }, "Bf16PatternMemory::pattern: argument 'mu' = -1");
    CHECK(b16.size() == 1);
    CHECK(b16.pattern(0) == Eigen::Vector3f(1, 2, 3));
}

TEST_CASE("error audit: separation maps and interaction terms", "[errors]") {
    std::vector<float> nan_z{1, fnan, 0}, pinf_z{1, finf, 0}, minf_z{1, -finf, 0}, p(3);
    std::vector<double> dnan_z{1, dnan, 0}, dp(3);
    row(
        "S01", [&] { hopfield::Softmax{}.apply(nan_z.data(), p.data(), 3); },
        "softmax: argument 'scores' = nan");
    row(
        "S02", [&] { hopfield::Softmax{}.apply(pinf_z.data(), p.data(), 3); },
        "softmax: argument 'scores' = inf");
    row(
        "S03", [&] { hopfield::Softmax1{}.apply(dnan_z.data(), dp.data(), 3); },
        "softmax1: argument 'scores' = nan");
    row(
        "S04", [&] { hopfield::Sparsemax{}.apply(pinf_z.data(), p.data(), 3); },
        "sparsemax: argument 'scores' = inf");
    row(
        "S05", [&] { hopfield::Entmax15{}.apply(nan_z.data(), p.data(), 3); },
        "entmax15: argument 'scores' = nan");
    row(
        "S06", [&] { hopfield::Entmax(1.7).apply(pinf_z.data(), p.data(), 3); },
        "entmax: argument 'scores' = inf");
    // alpha = 1 computes softmax, but the message names the map the caller used.
    row(
        "S07", [&] { hopfield::Entmax(1.0).apply(nan_z.data(), p.data(), 3); },
        "entmax: argument 'scores' = nan");
    row(
        "S08", [&] { hopfield::Identity{}.apply(minf_z.data(), p.data(), 3); },
        "identity: argument 'scores' = -inf: must be finite (element 1; identity has no masking)");
    row(
        "S09", [&] { hopfield::Identity{}.apply(nan_z.data(), p.data(), 3); },
        "identity: argument 'scores' = nan");
    row(
        "S10", [&] { (void)hopfield::Softmax{}.conjugate(nan_z.data(), p.data(), 3); },
        "softmax: argument 'scores' = nan");
    row(
        "S11", [&] { (void)hopfield::Softmax1{}.conjugate(pinf_z.data(), p.data(), 3); },
        "softmax1: argument 'scores' = inf");
    row(
        "S12", [&] { (void)hopfield::Sparsemax{}.conjugate(nan_z.data(), p.data(), 3); },
        "sparsemax: argument 'scores' = nan");
    row(
        "S13", [&] { (void)hopfield::Entmax15{}.conjugate(nan_z.data(), p.data(), 3); },
        "entmax15: argument 'scores' = nan");
    row(
        "S14", [&] { (void)hopfield::Entmax(1.0).conjugate(nan_z.data(), p.data(), 3); },
        "entmax: argument 'scores' = nan");
    row(
        "S15", [&] { (void)hopfield::Identity{}.conjugate(minf_z.data(), p.data(), 3); },
        "identity: argument 'scores' = -inf");
    row(
        "S16",
        [&] { (void)hopfield::separate(hopfield::Sparsemax{}, Eigen::Vector3f(1, fnan, 0)); },
        "sparsemax: argument 'scores' = nan");
    row(
        "S17", [] { hopfield::Entmax{0.5}; }, "Entmax: argument 'alpha' = 0.5: must be in [1, 2]");
    row(
        "S18", [] { hopfield::Entmax{2.5}; }, "Entmax: argument 'alpha' = 2.5");
    row(
        "S19", [] { hopfield::Entmax{dnan}; }, "Entmax: argument 'alpha' = nan");

    row(
        "I01", [] { hopfield::Polynomial{1}; }, "Polynomial: argument 'p' = 1: must be >= 2");
    row(
        "I02", [] { hopfield::RectifiedPolynomial{-3}; }, "RectifiedPolynomial: argument 'p' = -3");
    row(
        "I03", [] { hopfield::Exponential{0.0}; },
        "Exponential: argument 'beta' = 0: must be finite and > 0");
    row(
        "I04", [] { hopfield::Exponential{-1.0}; }, "Exponential: argument 'beta' = -1");
    row(
        "I05", [] { hopfield::Exponential{dnan}; }, "Exponential: argument 'beta' = nan");
    row(
        "I06", [] { hopfield::Exponential{dinf}; }, "Exponential: argument 'beta' = inf");
    const double m[2] = {1, 2};
    double a[2], b[2];
    row(
        "I07", [&] { (void)hopfield::Quadratic{}.differences(m, 2, 0, a, b); },
        "Quadratic::differences: argument 'dim' = 0");
    row(
        "I08", [&] { (void)hopfield::Quadratic{}.energy(m, 2, -4); },
        "Quadratic::energy: argument 'dim' = -4");
}

TEST_CASE("error audit: models", "[errors]") {
    row(
        "M01", [] { (void)hopfield::LogSumExpHopfield(-1.0); },
        "ModernHopfield: argument 'beta' = -1: must be finite and >= 0");
    row(
        "M02", [] { (void)hopfield::SparseHopfield(dnan); },
        "ModernHopfield: argument 'beta' = nan");
    row(
        "M03", [] { (void)hopfield::EntmaxHopfield(dinf, hopfield::Entmax(1.5)); },
        "ModernHopfield: argument 'beta' = inf");
    row(
        "M04", [] { hopfield::Couplings<float>(hopfield::RowMatrix<float>::Zero(2, 3)); },
        "Couplings: argument 'J.rows()' = 2: must be square and non-empty, J.cols() = 3");
    row(
        "M05", [] { hopfield::Couplings<float>(hopfield::RowMatrix<float>(0, 0)); },
        "Couplings: argument 'J.rows()' = 0");
    row(
        "M06",
        [] {
            hopfield::RowMatrix<double> J = hopfield::RowMatrix<double>::Zero(2, 2);
            J(0, 0) = dnan;
            hopfield::Couplings<double> c(J);
        },
        "Couplings: argument 'J' = nan");
    row(
        "M07",
        [] {
            hopfield::RowMatrix<float> J = hopfield::RowMatrix<float>::Zero(2, 2);
            J(0, 1) = 1.0f;
            hopfield::Couplings<float> c(J);
        },
        "Couplings: argument 'max|J - J^T|' = 1: J must be symmetric");
    const hopfield::PatternMemory<float> empty(4);
    hopfield::RowMatrix<float> half = hopfield::RowMatrix<float>::Ones(2, 4);
    half(1, 2) = 0.5f;
    hopfield::RowMatrix<float> dependent = hopfield::RowMatrix<float>::Ones(2, 4);
    row(
        "M08", [&] { hopfield::Couplings<float>::hebb(empty); },
        "Couplings::hebb: argument 'patterns.size()' = 0");
    row(
        "M09", [&] { hopfield::Couplings<float>::hebb(half); },
        "Couplings::hebb: argument 'patterns' = 0.5");
    row(
        "M10", [&] { hopfield::Couplings<float>::storkey(empty); },
        "Couplings::storkey: argument 'patterns.size()' = 0");
    row(
        "M11", [&] { hopfield::Couplings<float>::storkey(half); },
        "Couplings::storkey: argument 'patterns' = 0.5");
    row(
        "M12", [&] { hopfield::Couplings<float>::pseudo_inverse(empty); },
        "Couplings::pseudo_inverse: argument 'patterns.size()' = 0");
    row(
        "M13", [&] { hopfield::Couplings<float>::pseudo_inverse(half); },
        "Couplings::pseudo_inverse: argument 'patterns' = 0.5");
    row(
        "M14", [&] { hopfield::Couplings<float>::pseudo_inverse(dependent); },
        "Couplings::pseudo_inverse: argument 'patterns.rank' = 1: patterns must be linearly "
        "independent (N = 2)");
}

TEST_CASE("error audit: continuous dynamics", "[errors]") {
    const hopfield::RowMatrix<float> X = hopfield::RowMatrix<float>::Identity(3, 3);
    const hopfield::PatternMemory<float> empty(3);
    const hopfield::LogSumExpHopfield model(1.0);
    const Eigen::Vector3f q(1, 2, 3), nan_q(1, fnan, 3);
    hopfield::RowMatrix<float> nan_X = X;
    nan_X(2, 2) = fnan;
    row(
        "C01", [&] { (void)hopfield::step(model, empty, q); },
        "step: argument 'memory.size()' = 0");
    row(
        "C02", [&] { (void)hopfield::step(model, X, Eigen::Vector4f::Ones()); },
        "step: argument 'query.size()' = 4");
    row(
        "C03", [&] { (void)hopfield::step(model, X, nan_q); }, "step: argument 'query' = nan");
    row(
        "C04", [&] { (void)hopfield::step(model, nan_X, q); },
        "PatternView: argument 'patterns' = nan");
    row(
        "C05",
        [&] { (void)hopfield::step_batch(model, empty, hopfield::RowMatrix<float>::Ones(2, 3)); },
        "step_batch: argument 'memory.size()' = 0");
    row(
        "C06",
        [&] { (void)hopfield::step_batch(model, X, hopfield::RowMatrix<float>::Ones(2, 4)); },
        "step_batch: argument 'queries.cols()' = 4");
    hopfield::RowMatrix<float> nan_Q = hopfield::RowMatrix<float>::Ones(20, 3);
    nan_Q(19, 2) = fnan;
    row(
        "C07", [&] { (void)hopfield::step_batch(model, X, nan_Q); },
        "step_batch: argument 'queries' = nan");
    row(
        "C18",
        [&] {
            (void)hopfield::step_batch(model, X, hopfield::RowMatrix<float>::Ones(2, 3),
                                       {.threads = 0});
        },
        "step_batch: argument 'options.threads' = 0");
    // Queries given as a block of a wider matrix (an outer stride): the check covers exactly
    // the block. (A flat scan of rows * cols values from data() used to miss this NaN in the
    // block's last row, which then surfaced as "softmax: argument 'scores' = nan".)
    hopfield::RowMatrix<float> wide = hopfield::RowMatrix<float>::Ones(20, 5);
    wide(19, 0) = fnan;
    row(
        "C19", [&] { (void)hopfield::step_batch(model, X, wide.leftCols(3)); },
        "step_batch: argument 'queries' = nan: must be finite, but element (19, 0) is not");
    // ... and a NaN outside the block is none of step_batch's business (it used to be refused).
    wide(19, 0) = 1.0f;
    wide(0, 4) = fnan;
    const hopfield::RowMatrix<float> block = wide.leftCols(3);
    CHECK(hopfield::step_batch(model, X, wide.leftCols(3)) ==
          hopfield::step_batch(model, X, block));
    row(
        "C08", [&] { (void)hopfield::iterate(model, empty, q); },
        "iterate: argument 'memory.size()' = 0");
    row(
        "C09", [&] { (void)hopfield::iterate(model, X, Eigen::Vector2f::Ones()); },
        "iterate: argument 'query.size()' = 2");
    row(
        "C10", [&] { (void)hopfield::iterate(model, X, nan_q); },
        "iterate: argument 'query' = nan");
    row(
        "C11", [&] { (void)hopfield::iterate(model, X, q, {.max_steps = 0}); },
        "iterate: argument 'options.max_steps' = 0");
    row(
        "C12", [&] { (void)hopfield::iterate(model, X, q, {.max_steps = 5, .tolerance = -1}); },
        "iterate: argument 'options.tolerance' = -1");
    row(
        "C13", [&] { (void)hopfield::iterate(model, X, q, {.max_steps = 5, .tolerance = dnan}); },
        "iterate: argument 'options.tolerance' = nan");
    row(
        "C14", [&] { (void)hopfield::iterate(model, X, q, {.max_steps = 5, .tolerance = dinf}); },
        "iterate: argument 'options.tolerance' = inf");
    row(
        "C15", [&] { (void)hopfield::energy(model, empty, q); },
        "energy: argument 'memory.size()' = 0");
    row(
        "C16", [&] { (void)hopfield::energy(model, X, Eigen::Vector2f::Ones()); },
        "energy: argument 'state.size()' = 2");
    row(
        "C17", [&] { (void)hopfield::energy(model, X, nan_q); }, "energy: argument 'state' = nan");
}

TEST_CASE("error audit: binary dynamics", "[errors]") {
    hopfield::RowMatrix<float> X(2, 4);
    X << 1, -1, 1, 1, -1, -1, 1, -1;
    const hopfield::PatternMemory<float> empty(4);
    hopfield::RowMatrix<float> half = X;
    half(0, 1) = 0.5f;
    const Eigen::Vector4f s(1, -1, 1, 1), zero_s(1, 0, 1, 1), nan_s(1, fnan, 1, 1);
    const Eigen::Vector3f short_s(1, 1, 1);
    const hopfield::ClassicalHebbian model;

    // The checks every pattern-model function shares, through each public function.
    const auto shared = [&](const char* prefix, const std::string& fn, auto&& call) {
        row((std::string(prefix) + "a").c_str(), [&] { call(empty, s); },
            fn + ": argument 'memory.size()' = 0");
        row((std::string(prefix) + "b").c_str(), [&] { call(half, s); },
            fn + ": argument 'patterns' = 0.5");
        row((std::string(prefix) + "c").c_str(), [&] { call(X, short_s); },
            fn + ": argument 'state.size()' = 3");
        row((std::string(prefix) + "d").c_str(), [&] { call(X, zero_s); },
            fn + ": argument 'state' = 0: must be +1 or -1");
        row((std::string(prefix) + "e").c_str(), [&] { call(X, nan_s); },
            fn + ": argument 'state' = nan");
    };
    shared("B01", "step",
           [&](const auto& mem, const auto& st) { (void)hopfield::step(model, mem, st); });
    shared("B02", "fields",
           [&](const auto& mem, const auto& st) { (void)hopfield::fields(model, mem, st); });
    shared("B03", "energy",
           [&](const auto& mem, const auto& st) { (void)hopfield::energy(model, mem, st); });
    shared("B04", "run_synchronous", [&](const auto& mem, const auto& st) {
        (void)hopfield::run_synchronous(model, mem, st);
    });
    shared("B05", "run_asynchronous", [&](const auto& mem, const auto& st) {
        (void)hopfield::run_asynchronous(model, mem, st);
    });
    shared("B06", "run_glauber",
           [&](const auto& mem, const auto& st) { (void)hopfield::run_glauber(model, mem, st); });
    row(
        "B07", [&] { (void)hopfield::run_synchronous(model, X, s, {.max_steps = 0}); },
        "run_synchronous: argument 'options.max_steps' = 0");
    row(
        "B08", [&] { (void)hopfield::run_asynchronous(model, X, s, {.max_sweeps = -2}); },
        "run_asynchronous: argument 'options.max_sweeps' = -2");
    row(
        "B09", [&] { (void)hopfield::run_glauber(model, X, s, {.temperature = 0}); },
        "run_glauber: argument 'options.temperature' = 0: must be finite and > 0");
    row(
        "B10", [&] { (void)hopfield::run_glauber(model, X, s, {.temperature = -1}); },
        "run_glauber: argument 'options.temperature' = -1");
    row(
        "B11", [&] { (void)hopfield::run_glauber(model, X, s, {.temperature = dnan}); },
        "run_glauber: argument 'options.temperature' = nan");
    row(
        "B12", [&] { (void)hopfield::run_glauber(model, X, s, {.temperature = dinf}); },
        "run_glauber: argument 'options.temperature' = inf");
    row(
        "B13", [&] { (void)hopfield::run_glauber(model, X, s, {.temperature = 1, .sweeps = 0}); },
        "run_glauber: argument 'options.sweeps' = 0");

    const auto C = hopfield::Couplings<float>::hebb(X);
    row(
        "B14", [&] { (void)hopfield::step(C, short_s); }, "step: argument 'state.size()' = 3");
    row(
        "B15", [&] { (void)hopfield::step(C, zero_s); }, "step: argument 'state' = 0");
    row(
        "B16", [&] { (void)hopfield::run_synchronous(C, short_s); },
        "run_synchronous: argument 'state.size()' = 3");
    row(
        "B17", [&] { (void)hopfield::run_synchronous(C, nan_s); },
        "run_synchronous: argument 'state' = nan");
    row(
        "B18", [&] { (void)hopfield::run_synchronous(C, s, {.max_steps = 0}); },
        "run_synchronous: argument 'options.max_steps' = 0");
    row(
        "B19", [&] { (void)hopfield::run_asynchronous(C, short_s); },
        "run_asynchronous: argument 'state.size()' = 3");
    row(
        "B20", [&] { (void)hopfield::run_asynchronous(C, zero_s); },
        "run_asynchronous: argument 'state' = 0");
    row(
        "B21", [&] { (void)hopfield::run_asynchronous(C, s, {.max_sweeps = 0}); },
        "run_asynchronous: argument 'options.max_sweeps' = 0");
    row(
        "B22", [&] { (void)hopfield::run_glauber(C, short_s); },
        "run_glauber: argument 'state.size()' = 3");
    row(
        "B23", [&] { (void)hopfield::run_glauber(C, zero_s); },
        "run_glauber: argument 'state' = 0");
    row(
        "B24", [&] { (void)hopfield::run_glauber(C, s, {.temperature = -0.5}); },
        "run_glauber: argument 'options.temperature' = -0.5");
    row(
        "B25", [&] { (void)hopfield::run_glauber(C, s, {.temperature = 1, .sweeps = 0}); },
        "run_glauber: argument 'options.sweeps' = 0");
}

#ifdef HOPFIELD_AUDIT_NPY
TEST_CASE("error audit: .npy reader and writer", "[errors]") {
    namespace npy = hopfield::npy;
    const auto bytes = [](const std::string& s) {
        return std::vector<unsigned char>(s.begin(), s.end());
    };
    // A valid file of one float, then broken variants of it.
    const std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }";
    const std::string padded =
        header + std::string((64 - (10 + header.size() + 1) % 64) % 64, ' ') + "\n";
    const std::string pre = std::string("\x93NUMPY\x01\x00", 8) + char(padded.size()) + char(0);
    const std::string one = pre + padded + std::string("\0\0\x80\x3f", 4);
    REQUIRE(npy::parse<float>(bytes(one).data(), one.size(), "one.npy").data ==
            std::vector<float>{1.0f});

    const auto parse = [&](const std::string& file) {
        const auto b = bytes(file);
        (void)npy::parse<float>(b.data(), b.size(), "x.npy");
    };
    row(
        "N01", [&] { parse("\x93NUMPY"); },
        "npy::load: argument 'file' = x.npy: is not a .npy file: only 6 bytes");
    row(
        "N02", [&] { parse("\x93NUMPX" + one.substr(6)); },
        "npy::load: argument 'file' = x.npy: is not a .npy file: bad magic");
    row(
        "N03", [&] { parse(one.substr(0, 6) + "\x07" + one.substr(7)); },
        "npy::load: argument 'file' = x.npy: unsupported .npy format version 7.0");
    row(
        "N04", [&] { parse(one.substr(0, one.size() - 1)); },
        "npy::load: argument 'file' = x.npy: is truncated: shape (1,)");
    row(
        "N05", [&] { parse(one + "zz"); },
        "npy::load: argument 'file' = x.npy: has 2 unexpected bytes");
    std::string i8 = one;
    i8.replace(i8.find("<f4"), 3, "<i4");
    row(
        "N06", [&] { parse(i8); },
        "npy::load: argument 'file' = x.npy: has dtype '<i4', which cannot be read as float32");
    std::string bad_key = one;
    bad_key.replace(bad_key.find("shape"), 5, "shope");
    row(
        "N07", [&] { parse(bad_key); },
        "npy::load: argument 'file' = x.npy: header: unexpected key 'shope'");
    row(
        "N08", [] { (void)npy::load<float>("/nonexistent/hopfield_audit.npy"); },
        "npy::load: argument 'file' = /nonexistent/hopfield_audit.npy: does not exist");
    const float v = 1;
    row(
        "N09", [&] { npy::save<float>("/tmp/hopfield_audit_never_written.npy", {-1}, &v); },
        "npy::save: argument 'shape' = (-1,)");
    row(
        "N10", [&] { npy::save<float>("/nonexistent/dir/x.npy", {1}, &v); },
        "npy::save: argument 'file' = /nonexistent/dir/x.npy: cannot be created");
}
#endif  // HOPFIELD_AUDIT_NPY
