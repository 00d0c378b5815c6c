// Steady-state retrieval does not allocate (issue 4, point 5): after one warm-up call has grown
// the workspace, further single-query calls of the low-level entry points allocate nothing,
// neither through operator new (std::vector) nor through Eigen's own malloc. Batched calls on
// the GEMM path allocate nothing of their own either; the one exception is inside Eigen: its
// GEMM packs each operand panel into a buffer that it takes from the heap when it exceeds
// EIGEN_STACK_ALLOCATION_LIMIT (128 KiB), one per product call, sized by the cache blocking
// (not by N or B). That is Eigen's, measured here, and stated in the README.
//
// Its own executable: EIGEN_RUNTIME_NO_MALLOC changes Eigen's inline allocation functions, so
// every translation unit that includes Eigen with it must agree (the unit tests do not).
// eigen_assert is redefined to throw, so a forbidden Eigen allocation fails a CHECK instead of
// aborting the run.

#define EIGEN_RUNTIME_NO_MALLOC
#include <stdexcept>
#define eigen_assert(x)                                                    \
    do {                                                                   \
        if (!(x)) throw std::runtime_error("Eigen assertion failed: " #x); \
    } while (false)

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <hopfield/hopfield.hpp>
#include <new>

#if defined(__GNUC__) && !defined(__clang__)
// g++ 12 sees a vector's operator new paired with the free() in the replacement delete below,
// after inlining both, and warns; the replacements allocate with malloc, so they do match.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace {
std::atomic<long> news{0};
}  // namespace

// Counting replacements of the global allocation functions (the aligned forms too: the
// bfloat16 memory allocates 64-byte aligned storage).
void* operator new(std::size_t n) {
    ++news;
    if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new(std::size_t n, std::align_val_t a) {
    ++news;
    const std::size_t al = std::size_t(a);
    if (void* p = std::aligned_alloc(al, (n + al - 1) / al * al)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n, std::align_val_t a) { return operator new(n, a); }
// The nothrow forms too: a sanitizer's own nothrow new freed through the free() below is an
// alloc-dealloc mismatch (ASan), so every form goes through malloc / free here.
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    try {
        return operator new(n);
    } catch (...) {
        return nullptr;
    }
}
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept { return operator new(n, t); }
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
    try {
        return operator new(n, a);
    } catch (...) {
        return nullptr;
    }
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t& t) noexcept {
    return operator new(n, a, t);
}
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

namespace {

using hopfield::Index;

// Runs f once to warm up, then `calls` more times; returns the number of operator new calls
// seen in those. With `eigen_may_allocate` false, an Eigen allocation throws (eigen_assert).
template <class F>
long allocations_after_warm_up(F&& f, int calls = 3, bool eigen_may_allocate = false) {
    f();
    const long before = news.load();
    Eigen::internal::set_is_malloc_allowed(eigen_may_allocate);
    try {
        for (int k = 0; k < calls; ++k) f();
    } catch (...) {
        Eigen::internal::set_is_malloc_allowed(true);
        throw;
    }
    Eigen::internal::set_is_malloc_allowed(true);
    return news.load() - before;
}

hopfield::RowMatrix<float> random_rows(Index n, Index d, unsigned seed) {
    std::srand(seed);
    return hopfield::RowMatrix<float>::Random(n, d) * 0.2f;
}

}  // namespace

TEST_CASE("the allocation counter sees allocations (the check can fail)", "[no_alloc]") {
    CHECK(allocations_after_warm_up([] {
              std::vector<int> v(10);
              (void)v;
          }) == 3);
    CHECK_THROWS(allocations_after_warm_up([] {
        Eigen::VectorXf v(10);
        (void)v;
    }));
}

TEST_CASE("single-query retrieval does not allocate in steady state", "[no_alloc]") {
    for (const Index d : {Index(17), Index(256)}) {
        for (const Index N : {Index(1), Index(1000), Index(5000)}) {
            CAPTURE(d, N);
            const hopfield::PatternMemory<float> X(random_rows(N, d, 1));
            const hopfield::Bf16PatternMemory B(random_rows(N, d, 1));
            const hopfield::Vector<float> q = random_rows(1, d, 2).row(0).transpose();
            hopfield::Vector<float> out(d);
            hopfield::Workspace<float> ws;
            const auto each_map = [&](auto&& run) {
                run(hopfield::LogSumExpHopfield(4.0));
                run(hopfield::OutlierEfficientHopfield(4.0));
                run(hopfield::SparseHopfield(4.0));
                run(hopfield::ModernHopfield<hopfield::Entmax15>(4.0));
                run(hopfield::EntmaxHopfield(4.0, hopfield::Entmax(1.3)));
            };
            each_map([&](const auto& model) {
                CHECK(allocations_after_warm_up(
                          [&] { model.update(X.view(), q.data(), out.data(), ws); }) == 0);
                CHECK(allocations_after_warm_up(
                          [&] { model.update(B.view(), q.data(), out.data(), ws); }) == 0);
            });
        }
    }
}

TEST_CASE("batched retrieval allocates nothing of its own in steady state", "[no_alloc]") {
    const Index N = 3000, d = 64;
    const hopfield::PatternMemory<float> X(random_rows(N, d, 3));
    const hopfield::Bf16PatternMemory B(random_rows(N, d, 3));
    for (const Index rows : {Index(5), Index(37), Index(128)}) {
        CAPTURE(rows);
        const hopfield::RowMatrix<float> Q = random_rows(rows, d, 4);
        hopfield::RowMatrix<float> out(rows, d);
        hopfield::Workspace<float> ws;
        const hopfield::LogSumExpHopfield lse(4.0);
        const hopfield::SparseHopfield sparse(4.0);
        // Below kernel::gemm_min_batch rows the batch loops the single-query path: nothing at
        // all. From it on, Eigen's GEMM may take its packing buffers (see the file comment).
        const bool gemm = rows >= hopfield::kernel::gemm_min_batch;
        CHECK(allocations_after_warm_up([&] { lse.update_batch(X.view(), Q, out, ws); }, 3, gemm) ==
              0);
        CHECK(allocations_after_warm_up([&] { lse.update_batch(B.view(), Q, out, ws); }, 3, gemm) ==
              0);
        CHECK(allocations_after_warm_up([&] { sparse.update_batch(X.view(), Q, out, ws); }, 3,
                                        gemm) == 0);
    }
}

TEST_CASE("threaded step_batch allocates nothing of its own in steady state", "[no_alloc]") {
    // BatchOptions::threads runs chunks on persistent pool threads that keep their
    // workspaces, so after a warm-up call no operator new happens on any thread. Eigen may
    // allocate (the result matrix and its GEMM packing buffers, through its own malloc).
    // Starting threads per call, as before the pool, made several allocations per call.
    const Index N = 3000, d = 64;
    const hopfield::PatternMemory<float> X(random_rows(N, d, 5));
    const hopfield::RowMatrix<float> Q = random_rows(3 * hopfield::BatchOptions::chunk_rows, d, 6);
    const hopfield::LogSumExpHopfield lse(4.0);
    for (const int threads : {1, 2, 3}) {
        CAPTURE(threads);
        CHECK(allocations_after_warm_up(
                  [&] {
                      const auto out = hopfield::step_batch(lse, X, Q, {.threads = threads});
                      (void)out;
                  },
                  3, true) == 0);
    }
}
