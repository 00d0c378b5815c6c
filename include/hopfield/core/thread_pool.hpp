#pragma once
/// \file thread_pool.hpp
/// \brief detail::WorkerPool: the persistent worker threads behind BatchOptions::threads.
///
/// Starting threads per call cost more than the work at small batches: at B = 256, N = 1000,
/// d = 64, step_batch on two fresh threads took 1.42 ms against 0.59 ms on one (2026-11-28,
/// Zen 4), most of it each new thread's workspace and malloc arena being allocated and
/// faulted in. Pool threads are started on first use, kept blocked on a condition variable
/// between calls, and keep their thread-local workspaces, so a steady-state threaded batch
/// allocates nothing of its own.

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#endif
#if defined(_OPENMP)
#include <omp.h>
#endif

namespace hopfield::detail {

/// While alive, OpenMP parallel regions started from this thread (Eigen's GEMMs, in a program
/// built with OpenMP) run on one thread; the thread's previous setting comes back at the end.
/// Pool tasks run under it, so k workers never start k OpenMP teams, and a one-worker run
/// computes exactly what a k-worker run does. A no-op without OpenMP.
/// (Eigen::setNbThreads(n > 0), a global, overrides OpenMP's setting; it then applies.)
class SerialOpenMP {
public:
#if defined(_OPENMP)
    SerialOpenMP() noexcept : saved_(omp_get_max_threads()) { omp_set_num_threads(1); }
    ~SerialOpenMP() { omp_set_num_threads(saved_); }
    SerialOpenMP(const SerialOpenMP&) = delete;
    SerialOpenMP& operator=(const SerialOpenMP&) = delete;

private:
    int saved_;
#endif
};

/// A fixed set of worker threads that run one parallel job at a time.
///
/// run(workers, task) calls task(t) for t = 0 .. workers-1: t = 0 on the calling thread, the
/// others on pool threads (started on demand, never more than the largest count asked for).
/// It returns when all have finished and rethrows the exception of the lowest t that threw.
/// While one run is in progress, a run from another thread (or from inside a task) does not
/// wait for the pool: it calls its tasks one after the other on its own thread, so results
/// never depend on which thread ran a task, and nothing can deadlock. Every task runs under
/// SerialOpenMP, with one worker too: an OpenMP-parallel GEMM splits its work differently
/// from a serial one, so results could not be bitwise equal across worker counts otherwise.
class WorkerPool {
public:
    WorkerPool() = default;
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;
    ~WorkerPool() {
        {
            const std::lock_guard<std::mutex> lock(m_);
            stop_ = true;
        }
        work_.notify_all();
        for (auto& t : threads_) t.join();
    }

    template <class Task>
    void run(int workers, Task&& task) {
        if (workers <= 1) {
            [[maybe_unused]] const SerialOpenMP serial;
            task(0);
            return;
        }
        std::unique_lock<std::mutex> busy(run_mutex_, std::try_to_lock);
        if (!busy.owns_lock()) {
            [[maybe_unused]] const SerialOpenMP serial;
            for (int t = 0; t < workers; ++t) task(t);
            return;
        }
        auto call = [](void* ctx, int t) {
            (*static_cast<std::remove_reference_t<Task>*>(ctx))(t);
        };
        void* ctx = const_cast<void*>(static_cast<const void*>(&task));
        {
            const std::lock_guard<std::mutex> lock(m_);
            while (int(threads_.size()) < workers - 1) {
                const int t = int(threads_.size()) + 1;
                threads_.emplace_back([this, t] { serve(t); });
            }
            ctx_ = ctx;
            call_ = call;
            active_ = workers;
            pending_ = workers - 1;
            errors_.assign(std::size_t(workers), nullptr);
            ++generation_;
        }
        work_.notify_all();
        try {
            [[maybe_unused]] const SerialOpenMP serial;
            task(0);
        } catch (...) {
            errors_[0] = std::current_exception();
        }
        std::unique_lock<std::mutex> lock(m_);
        done_.wait(lock, [this] { return pending_ == 0; });
        for (auto& e : errors_)
            if (e) std::rethrow_exception(e);
    }

private:
    void serve(int t) {
        std::uint64_t seen = 0;
        std::unique_lock<std::mutex> lock(m_);
        for (;;) {
            work_.wait(lock, [&] { return stop_ || generation_ != seen; });
            if (stop_) return;
            seen = generation_;
            if (t >= active_) continue;  // this round needs fewer threads
            void* ctx = ctx_;
            void (*call)(void*, int) = call_;
            lock.unlock();
            try {
                [[maybe_unused]] const SerialOpenMP serial;
                call(ctx, t);
            } catch (...) {
                errors_[std::size_t(t)] = std::current_exception();  // only t writes slot t
            }
            lock.lock();
            if (--pending_ == 0) done_.notify_one();
        }
    }

    std::mutex run_mutex_;  // held for a whole run: one parallel job at a time
    std::mutex m_;          // guards everything below
    std::condition_variable work_, done_;
    std::vector<std::thread> threads_;
    void* ctx_ = nullptr;
    void (*call_)(void*, int) = nullptr;
    std::uint64_t generation_ = 0;
    int active_ = 0;
    int pending_ = 0;
    std::vector<std::exception_ptr> errors_;
    bool stop_ = false;
};

/// The process-wide pool of BatchOptions::threads. Deliberately never destroyed: its threads
/// stay blocked until the process ends, so a batch run from a static destructor still works.
/// A child process after fork() has none of its parent's threads: it gets a fresh pool.
inline WorkerPool& shared_worker_pool() {
#if defined(__unix__) || defined(__APPLE__)
    static std::mutex& guard = *new std::mutex;  // NOLINT: leaked too, for static destructors
    static WorkerPool* pool = nullptr;
    static pid_t owner = 0;
    const std::lock_guard<std::mutex> lock(guard);
    if (pool == nullptr || owner != getpid()) {
        pool = new WorkerPool;  // NOLINT: leaked on purpose (see above); a forked child's old
        owner = getpid();       // pool is unusable there (its threads do not exist)
    }
    return *pool;
#else
    static WorkerPool* pool = new WorkerPool;  // NOLINT: leaked on purpose (see above)
    return *pool;
#endif
}

}  // namespace hopfield::detail
