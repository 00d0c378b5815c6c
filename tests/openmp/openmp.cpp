// BatchOptions::threads in a program built with OpenMP (-fopenmp): Eigen's GEMMs would start
// an OpenMP team of omp_get_max_threads() threads from inside every pool worker (k workers x
// that many threads). The pool runs its tasks under detail::SerialOpenMP, so each sees
// Eigen::nbThreads() == 1, and the caller's own OpenMP setting is back afterwards. With one
// thread too: an OpenMP-parallel GEMM splits its sums differently, so threads = 1 would not
// be bitwise equal to threads = 2 (this test failed that way before the one-worker case
// was serialised as well).
//
// Its own executable: -fopenmp changes Eigen's inline functions (EIGEN_HAS_OPENMP), so it must
// not share translation units with the unit tests. Built when CMake finds OpenMP.
#include <atomic>
#include <catch2/catch.hpp>
#include <hopfield/hopfield.hpp>
#include <omp.h>
#include <vector>

TEST_CASE("with OpenMP, pool tasks see Eigen single-threaded; the caller's setting returns",
          "[openmp][threads]") {
    omp_set_num_threads(4);
    REQUIRE(Eigen::nbThreads() == 4);  // Eigen follows OpenMP here: the check can fail
    for (const int workers : {1, 2, 3}) {
        CAPTURE(workers);
        std::vector<int> seen(static_cast<std::size_t>(workers), -1);
        hopfield::detail::shared_worker_pool().run(
            workers, [&](int t) { seen[std::size_t(t)] = Eigen::nbThreads(); });
        for (const int v : seen) CHECK(v == 1);
        CHECK(Eigen::nbThreads() == 4);
    }
}

TEST_CASE("with OpenMP, threaded step_batch equals one thread bitwise", "[openmp][threads]") {
    omp_set_num_threads(2);
    const hopfield::RowMatrix<float> X = hopfield::RowMatrix<float>::Random(700, 32) * 0.3f;
    const hopfield::RowMatrix<float> Q = hopfield::RowMatrix<float>::Random(300, 32) * 0.3f;
    const hopfield::LogSumExpHopfield model(4.0);
    const auto one = hopfield::step_batch(model, X, Q, {.threads = 1});
    for (const int threads : {2, 3})
        CHECK(
            (hopfield::step_batch(model, X, Q, {.threads = threads}).array() == one.array()).all());
    CHECK(Eigen::nbThreads() == 2);
}
