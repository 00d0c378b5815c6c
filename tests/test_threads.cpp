// Thread safety (README "Threads"): retrieval and dynamics on a const memory, from many threads
// at once, give bit-for-bit the results of one thread. Every public entry point that reads a
// memory is exercised concurrently: step, step_batch (also with its own worker threads),
// iterate, energy for every continuous map; step, fields, energy, run_synchronous,
// run_asynchronous, run_glauber for the binary models and for Couplings; the separation maps
// on vectors of different sizes (their thread_local scratch buffers).
//
// .ci/run also builds this file with ThreadSanitizer and runs the "[threads]" tests alone.
// What is NOT thread-safe (documented in README and docs/errors.md): modifying a memory
// (add, remove, assignment) while another thread reads it, and sharing one Workspace between
// threads that run at the same time.

#include <atomic>
#include <catch2/catch.hpp>
#include <functional>
#include <hopfield/hopfield.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "reference.hpp"

using hopfield::Index;

namespace {

// Below this the tests would not overlap much; above, TSan makes them slow.
constexpr int kThreads = 8;
constexpr int kRounds = 1;

// Bitwise equality of two Eigen objects of the same shape (no NaN is expected anywhere).
template <class A, class B>
bool same(const A& a, const B& b) {
    return a.rows() == b.rows() && a.cols() == b.cols() && (a.array() == b.array()).all();
}

template <class Scalar>
bool same(const hopfield::Result<Scalar>& a, const hopfield::Result<Scalar>& b) {
    return same(a.state, b.state) && a.steps == b.steps && a.converged == b.converged &&
           a.period == b.period && a.energy == b.energy;
}

// A list of jobs; each returns true when its result equals the one-thread result. Runs them
// once on this thread to record the expectations, then from kThreads threads at once, each in
// its own order, kRounds times. Catch's assertions are not thread-safe: the threads only count.
class Jobs {
public:
    // `make` runs the computation; `record` stores its first result, `check` compares.
    void add(std::string name, std::function<std::function<bool()>()> prepare) {
        names_.push_back(std::move(name));
        jobs_.push_back(prepare());
    }

    void run_concurrently() {
        std::atomic<int> mismatches{0}, errors{0};
        std::vector<std::atomic<int>> per_job(jobs_.size());
        std::vector<std::thread> pool;
        for (int t = 0; t < kThreads; ++t) {
            pool.emplace_back([&, t] {
                for (int round = 0; round < kRounds; ++round) {
                    for (std::size_t k = 0; k < jobs_.size(); ++k) {
                        const std::size_t j =
                            (k + std::size_t(t) * 7 + std::size_t(round)) % jobs_.size();
                        try {
                            if (!jobs_[j]()) {
                                ++mismatches;
                                ++per_job[j];
                            }
                        } catch (...) {
                            ++errors;
                            ++per_job[j];
                        }
                    }
                }
            });
        }
        for (auto& th : pool) th.join();
        for (std::size_t j = 0; j < jobs_.size(); ++j) {
            INFO("job " << names_[j]);
            CHECK(per_job[j].load() == 0);
        }
        CHECK(mismatches.load() == 0);
        CHECK(errors.load() == 0);
        CHECK(jobs_.size() > 0);
    }

private:
    std::vector<std::string> names_;
    std::vector<std::function<bool()>> jobs_;
};

// Records f()'s result now (one thread) and returns a job comparing later results with it.
template <class F>
std::function<std::function<bool()>()> expect_same(F f) {
    return [f] {
        auto want = std::make_shared<decltype(f())>(f());
        return std::function<bool()>([f, want] { return same(f(), *want); });
    };
}

template <class Scalar>
void continuous_jobs(Jobs& jobs) {
    // N = 800 rows of d = 48: two streaming blocks in float (682 rows each), three in double.
    const auto memory = std::make_shared<const hopfield::PatternMemory<Scalar>>(
        ref::random_gaussian<Scalar>(800, 48, 1, 0.3));
    const auto queries = std::make_shared<const hopfield::RowMatrix<Scalar>>(
        ref::random_gaussian<Scalar>(70, 48, 2, 0.3));
    const auto add_model = [&](const std::string& name, auto model) {
        for (Index k = 0; k < 2; ++k) {
            const hopfield::Vector<Scalar> q = queries->row(k).transpose();
            jobs.add(name + " step",
                     expect_same([=] { return hopfield::step(model, *memory, q); }));
            jobs.add(name + " iterate", expect_same([=] {
                         return hopfield::iterate(model, *memory, q,
                                                  {.max_steps = 4, .tolerance = 0});
                     }));
            jobs.add(name + " energy", expect_same([=] {
                         return Eigen::Matrix<double, 1, 1>(hopfield::energy(model, *memory, q));
                     }));
        }
        // 70 queries: one GEMM chunk of 64 and one of 6 (looped single queries).
        jobs.add(name + " step_batch",
                 expect_same([=] { return hopfield::step_batch(model, *memory, *queries); }));
        jobs.add(name + " step_batch threads=3", expect_same([=] {
                     return hopfield::step_batch(model, *memory, *queries, {.threads = 3});
                 }));
        jobs.add(name + " step_batch of 5", expect_same([=] {
                     return hopfield::step_batch(model, *memory, queries->topRows(5));
                 }));
    };
    add_model("softmax", hopfield::LogSumExpHopfield(4.0));
    add_model("softmax1", hopfield::OutlierEfficientHopfield(4.0));
    add_model("sparsemax", hopfield::SparseHopfield(4.0));
    add_model("entmax15", hopfield::ModernHopfield<hopfield::Entmax15>(4.0));
    add_model("entmax1.3", hopfield::EntmaxHopfield(4.0, hopfield::Entmax(1.3)));
}

template <class Scalar>
void binary_jobs(Jobs& jobs) {
    const auto memory = std::make_shared<const hopfield::PatternMemory<Scalar>>(
        ref::random_binary<Scalar>(40, 200, 3));
    const auto couplings = std::make_shared<const hopfield::Couplings<Scalar>>(
        hopfield::Couplings<Scalar>::storkey(*memory));
    const auto add_model = [&](const std::string& name, auto model) {
        for (std::uint64_t k = 0; k < 3; ++k) {
            const hopfield::Vector<Scalar> s =
                ref::random_binary<Scalar>(1, 200, 10 + k).row(0).transpose();
            jobs.add(name + " step",
                     expect_same([=] { return hopfield::step(model, *memory, s); }));
            jobs.add(name + " fields",
                     expect_same([=] { return hopfield::fields(model, *memory, s); }));
            jobs.add(name + " energy", expect_same([=] {
                         return Eigen::Matrix<double, 1, 1>(hopfield::energy(model, *memory, s));
                     }));
            jobs.add(name + " sync", expect_same([=] {
                         return hopfield::run_synchronous(model, *memory, s, {.max_steps = 20});
                     }));
            jobs.add(name + " async", expect_same([=] {
                         return hopfield::run_asynchronous(model, *memory, s,
                                                           {.max_sweeps = 20, .seed = k});
                     }));
            jobs.add(name + " glauber", expect_same([=] {
                         return hopfield::run_glauber(model, *memory, s,
                                                      {.temperature = 0.2, .sweeps = 3, .seed = k});
                     }));
        }
    };
    add_model("classical", hopfield::ClassicalHebbian{});
    add_model("polynomial3", hopfield::DenseModel<hopfield::Polynomial>(hopfield::Polynomial{3}));
    add_model("rectified4", hopfield::DenseModel<hopfield::RectifiedPolynomial>(
                                hopfield::RectifiedPolynomial{4}));
    add_model("exponential",
              hopfield::DenseModel<hopfield::Exponential>(hopfield::Exponential{0.5}));
    for (std::uint64_t k = 0; k < 3; ++k) {
        const hopfield::Vector<Scalar> s =
            ref::random_binary<Scalar>(1, 200, 20 + k).row(0).transpose();
        jobs.add("couplings step", expect_same([=] { return hopfield::step(*couplings, s); }));
        jobs.add("couplings sync", expect_same([=] {
                     return hopfield::run_synchronous(*couplings, s, {.max_steps = 20});
                 }));
        jobs.add("couplings async", expect_same([=] {
                     return hopfield::run_asynchronous(*couplings, s,
                                                       {.max_sweeps = 20, .seed = k});
                 }));
        jobs.add("couplings glauber", expect_same([=] {
                     return hopfield::run_glauber(*couplings, s,
                                                  {.temperature = 0.2, .sweeps = 3, .seed = k});
                 }));
    }
}

template <class Scalar>
void map_jobs(Jobs& jobs) {
    // Different sizes per job: the thread_local scratch buffers grow differently per thread.
    for (const Index n : {Index(3), Index(50), Index(1000), Index(5000)}) {
        const hopfield::Vector<Scalar> z =
            ref::random_gaussian<Scalar>(1, n, std::uint64_t(n), 2.0).row(0).transpose();
        const auto add = [&](const std::string& name, auto map) {
            jobs.add(name + " n=" + std::to_string(n),
                     expect_same([=] { return hopfield::separate(map, z); }));
        };
        add("softmax", hopfield::Softmax{});
        add("softmax1", hopfield::Softmax1{});
        add("sparsemax", hopfield::Sparsemax{});
        add("entmax15", hopfield::Entmax15{});
        add("entmax1.7", hopfield::Entmax(1.7));
    }
}

}  // namespace

TEMPLATE_TEST_CASE(
    "continuous retrieval from many threads on a const memory is bitwise the one-thread result",
    "[threads]", float, double) {
    Jobs jobs;
    continuous_jobs<TestType>(jobs);
    jobs.run_concurrently();
}

TEMPLATE_TEST_CASE(
    "binary dynamics from many threads on a const memory is bitwise the one-thread result",
    "[threads]", float, double) {
    Jobs jobs;
    binary_jobs<TestType>(jobs);
    jobs.run_concurrently();
}

TEMPLATE_TEST_CASE("separation maps from many threads at once are bitwise the one-thread result",
                   "[threads]", float, double) {
    Jobs jobs;
    map_jobs<TestType>(jobs);
    jobs.run_concurrently();
}

TEST_CASE("every continuous and binary job together, all at once", "[threads]") {
    // The float and double workspaces, the scratch buffers and the step_batch worker threads
    // of every kind of job interleaved.
    Jobs jobs;
    continuous_jobs<float>(jobs);
    binary_jobs<double>(jobs);
    map_jobs<float>(jobs);
    jobs.run_concurrently();
}

// --- the persistent worker pool behind BatchOptions::threads (core/thread_pool.hpp) ---------

TEST_CASE("worker pool: each task index runs once, t = 0 on the caller, the rest elsewhere",
          "[threads][pool]") {
    hopfield::detail::WorkerPool pool;
    const auto caller = std::this_thread::get_id();
    // Growing, shrinking and growing again: threads started for a large run sit out smaller
    // ones and must not run a task twice or miss one.
    for (const int workers : {3, 2, 5, 1, 4, 5, 2}) {
        CAPTURE(workers);
        std::vector<std::atomic<int>> calls(static_cast<std::size_t>(workers));
        std::vector<std::thread::id> ran_on(static_cast<std::size_t>(workers));
        pool.run(workers, [&](int t) {
            ++calls[std::size_t(t)];
            ran_on[std::size_t(t)] = std::this_thread::get_id();
        });
        for (int t = 0; t < workers; ++t) CHECK(calls[std::size_t(t)].load() == 1);
        CHECK(ran_on[0] == caller);
        for (int t = 1; t < workers; ++t) CHECK(ran_on[std::size_t(t)] != caller);
    }
}

TEST_CASE("worker pool: the lowest failing task's exception reaches the caller; the pool lives on",
          "[threads][pool]") {
    hopfield::detail::WorkerPool pool;
    std::atomic<int> finished{0};
    try {
        pool.run(4, [&](int t) {
            if (t == 2) throw std::runtime_error("task 2");
            if (t == 3) throw std::runtime_error("task 3");
            ++finished;
        });
        FAIL("no exception");
    } catch (const std::runtime_error& e) {
        CHECK(std::string(e.what()) == "task 2");
    }
    CHECK(finished.load() == 2);  // tasks 0 and 1 ran to the end; the run waited for them
    std::atomic<int> after{0};
    pool.run(4, [&](int) { ++after; });
    CHECK(after.load() == 4);
}

TEST_CASE("worker pool: runs from many threads at once, and from inside a task, all complete",
          "[threads][pool]") {
    // One run holds the pool; the others (and a nested run) call their tasks on their own
    // thread. Each run must still call every one of its tasks exactly once.
    hopfield::detail::WorkerPool pool;
    std::atomic<int> total{0};
    std::vector<std::thread> users;
    for (int u = 0; u < 6; ++u)
        users.emplace_back([&] {
            for (int round = 0; round < 20; ++round)
                pool.run(3, [&](int t) {
                    ++total;
                    if (t == 1) pool.run(2, [&](int) { ++total; });
                });
        });
    for (auto& u : users) u.join();
    CHECK(total.load() == 6 * 20 * (3 + 2));
}

TEST_CASE("step_batch on the pool: a failing chunk's error reaches the caller, then it works",
          "[threads][pool]") {
    // Scores overflow only in the second chunk of queries (rows 128..255), which runs on a
    // pool thread with threads = 2: the same error as with one thread, then normal service.
    const hopfield::RowMatrix<float> X = hopfield::RowMatrix<float>::Constant(4, 8, 1e19f);
    hopfield::RowMatrix<float> Q = hopfield::RowMatrix<float>::Constant(256, 8, 1e-19f);
    Q.row(200).setConstant(1e20f);
    const hopfield::LogSumExpHopfield model(1.0);
    for (const int threads : {1, 2}) {
        CAPTURE(threads);
        CHECK_THROWS_WITH(hopfield::step_batch(model, X, Q, {.threads = threads}),
                          Catch::Contains("'scores' = inf"));
    }
    Q.row(200).setConstant(1e-19f);
    CHECK(same(hopfield::step_batch(model, X, Q, {.threads = 2}),
               hopfield::step_batch(model, X, Q, {.threads = 1})));
}
