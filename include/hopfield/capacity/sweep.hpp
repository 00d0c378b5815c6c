#pragma once
/// \file sweep.hpp
/// \brief The load sweep: runs the trials of every load point on a pool of std::threads and
/// summarises them, deterministically.
///
/// Determinism: trial t of load point l draws only from Random(trial_seed(seed, l, t)) and its
/// outcome is stored at [l][t]; sums run in trial order after all threads have joined. The
/// results are therefore bit-identical for every number of threads (timings excepted).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <limits>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

#include "hopfield/capacity/random.hpp"
#include "hopfield/core/error.hpp"
#include "hopfield/core/types.hpp"

namespace hopfield::capacity {

/// \brief What one retrieval trial reports.
struct TrialOutcome {
    bool success = false;  ///< the experiment's criterion held
    bool exact = false;    ///< the final state equals the target exactly
    double overlap = 0;    ///< final overlap (cosine) with the target
    double bit_error = 0;  ///< fraction of the target's bits that the final state gets wrong
    double steps = 0;      ///< updates or sweeps the dynamics ran
};

/// \brief Progress of a running sweep, as passed to SweepOptions::progress.
struct Progress {
    std::size_t done = 0;        ///< trials finished
    std::size_t total = 0;       ///< trials in the sweep
    double elapsed_seconds = 0;  ///< wall time since the sweep started
};

/// \brief How run_trials runs.
struct SweepOptions {
    int trials = 100;        ///< trials per load point (>= 1)
    std::uint64_t seed = 1;  ///< experiment seed: trial seeds are trial_seed(seed, load, trial)
    int threads = 0;         ///< worker threads (>= 0; 0 = std::thread::hardware_concurrency())
    /// \brief Called from the calling thread about every `progress_interval` seconds while the
    /// trials run, and once at the end; may be empty.
    std::function<void(const Progress&)> progress;
    double progress_interval = 0.2;  ///< seconds between progress calls (> 0)
};

/// \brief The outcomes of every trial of a sweep, in order, and the time spent.
/// \tparam Outcome what one trial returns.
template <class Outcome>
struct TrialTable {
    std::vector<std::vector<Outcome>> outcomes;  ///< outcomes[load][trial]
    std::vector<double> seconds;                 ///< thread-seconds spent per load point
    double wall_seconds = 0;                     ///< wall time of the whole sweep
};

/// \brief The number of worker threads `requested` means: hardware_concurrency() for 0 (at
/// least 1), else `requested`; throws hopfield::invalid_argument naming `threads` if < 0.
inline int resolve_threads(int requested) {
    if (requested < 0)
        throw invalid_argument("run_trials", "threads", requested, "must be >= 0 (0: all cores)");
    if (requested > 0) return requested;
    return std::max(1, int(std::thread::hardware_concurrency()));
}

/// \brief Runs options.trials trials at each of `loads` load points in parallel.
///
/// `trial(load_index, trial_index, rng)` runs one trial with rng = Random(trial_seed(seed,
/// load_index, trial_index)) and returns its outcome; it is called concurrently from several
/// threads, so it must not share mutable state (give each call its own buffers, or use
/// thread_local ones). The first exception a trial throws stops the sweep and is rethrown here.
template <class TrialFn>
auto run_trials(std::size_t loads, const SweepOptions& options, TrialFn&& trial)
    -> TrialTable<std::invoke_result_t<TrialFn&, std::size_t, int, Random&>> {
    using Outcome = std::invoke_result_t<TrialFn&, std::size_t, int, Random&>;
    using Clock = std::chrono::steady_clock;
    static_assert(!std::is_same_v<Outcome, bool>,
                  "std::vector<bool> is not thread-safe per element: return a struct");
    if (options.trials < 1)
        throw invalid_argument("run_trials", "trials", options.trials, "must be >= 1");
    hopfield::detail::require_positive("run_trials", "progress_interval",
                                       options.progress_interval);
    const auto per_load = std::size_t(options.trials);
    const std::size_t total = loads * per_load;
    const int threads = int(std::min<std::size_t>(std::size_t(resolve_threads(options.threads)),
                                                  std::max<std::size_t>(total, 1)));

    TrialTable<Outcome> table;
    table.outcomes.assign(loads, std::vector<Outcome>(per_load));
    std::vector<double> job_seconds(total, 0.0);
    std::atomic<std::size_t> next{0}, done{0};
    std::atomic<bool> stop{false};
    std::exception_ptr error;
    std::mutex mutex;
    std::condition_variable finished;
    int running = threads;

    const auto start = Clock::now();
    const auto worker = [&] {
        for (;;) {
            const std::size_t job = next.fetch_add(1);
            if (job >= total || stop.load()) break;
            const std::size_t l = job / per_load;
            const int t = int(job % per_load);
            const auto t0 = Clock::now();
            try {
                Random rng(trial_seed(options.seed, l, std::uint64_t(t)));
                table.outcomes[l][std::size_t(t)] = trial(l, t, rng);
            } catch (...) {
                std::lock_guard lock(mutex);
                if (!error) error = std::current_exception();
                stop = true;
            }
            job_seconds[job] = std::chrono::duration<double>(Clock::now() - t0).count();
            done.fetch_add(1);
        }
        std::lock_guard lock(mutex);
        if (--running == 0) finished.notify_all();
    };

    std::vector<std::thread> pool;
    pool.reserve(std::size_t(threads));
    for (int k = 0; k < threads; ++k) pool.emplace_back(worker);
    {
        std::unique_lock lock(mutex);
        const auto interval = std::chrono::duration<double>(options.progress_interval);
        while (running > 0) {
            finished.wait_for(lock, interval, [&] { return running == 0; });
            if (running > 0 && options.progress) {
                const Progress p{done.load(), total,
                                 std::chrono::duration<double>(Clock::now() - start).count()};
                lock.unlock();
                options.progress(p);
                lock.lock();
            }
        }
    }
    for (auto& th : pool) th.join();
    table.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    if (error) std::rethrow_exception(error);
    if (options.progress) options.progress(Progress{total, total, table.wall_seconds});

    table.seconds.assign(loads, 0.0);
    for (std::size_t job = 0; job < total; ++job) table.seconds[job / per_load] += job_seconds[job];
    return table;
}

/// \brief The summary of one load point: the CSV row of the capacity tool.
struct LoadSummary {
    Index patterns = 0;             ///< N, patterns stored
    Index dim = 0;                  ///< d, pattern dimension (neurons)
    double load = 0;                ///< N / d
    int trials = 0;                 ///< trials run
    int successes = 0;              ///< trials whose criterion held
    double success_rate = 0;        ///< successes / trials
    double mean_final_overlap = 0;  ///< mean final overlap with the target
    double bit_error_rate = 0;      ///< mean fraction of wrong bits
    double mean_steps = 0;          ///< mean updates / sweeps
    double exact_rate = 0;          ///< fraction of trials ending exactly on the target
    double seconds = 0;             ///< thread-seconds spent on this load point

    /// \brief Binomial standard error of success_rate, sqrt(p (1 - p) / trials).
    double success_se() const {
        return trials > 0 ? std::sqrt(success_rate * (1.0 - success_rate) / double(trials)) : 0.0;
    }
};

/// \brief Summarises the outcomes of one load point (sums in trial order: deterministic).
inline LoadSummary summarize(Index patterns, Index dim, const std::vector<TrialOutcome>& outcomes,
                             double seconds = 0) {
    LoadSummary s;
    s.patterns = patterns;
    s.dim = dim;
    s.load = dim > 0 ? double(patterns) / double(dim) : 0.0;
    s.trials = int(outcomes.size());
    s.seconds = seconds;
    if (outcomes.empty()) return s;
    double overlap = 0, bits = 0, steps = 0;
    int exact = 0;
    for (const TrialOutcome& o : outcomes) {
        s.successes += o.success;
        exact += o.exact;
        overlap += o.overlap;
        bits += o.bit_error;
        steps += o.steps;
    }
    const double n = double(outcomes.size());
    s.success_rate = double(s.successes) / n;
    s.mean_final_overlap = overlap / n;
    s.bit_error_rate = bits / n;
    s.mean_steps = steps / n;
    s.exact_rate = double(exact) / n;
    return s;
}

/// \brief Pattern counts N = round(alpha d) for alpha = lo, lo + step, ... <= hi (+1e-9 of
/// slack for the decimal steps), duplicates removed, every N >= 1.
inline std::vector<Index> load_grid(Index d, double lo, double hi, double step) {
    if (d <= 0) throw invalid_argument("load_grid", "d", d, "must be > 0");
    if (!(lo > 0) || !std::isfinite(lo))
        throw invalid_argument("load_grid", "lo", lo, "must be finite and > 0");
    if (!(hi >= lo) || !std::isfinite(hi))
        throw invalid_argument("load_grid", "hi", hi, "must be finite and >= lo");
    if (!(step > 0) || !std::isfinite(step))
        throw invalid_argument("load_grid", "step", step, "must be finite and > 0");
    if ((hi - lo) / step > 1e6)
        throw invalid_argument("load_grid", "step", step, "gives more than 1e6 load points");
    std::vector<Index> out;
    for (long k = 0;; ++k) {
        const double alpha = lo + double(k) * step;
        if (alpha > hi + 1e-9) break;
        const auto n = std::max<Index>(1, Index(std::llround(alpha * double(d))));
        if (out.empty() || out.back() != n) out.push_back(n);
    }
    return out;
}

/// \brief Where y first falls from >= level to < level, linearly interpolated in x; NaN when
/// it never does (x and y of equal length, x increasing).
inline double crossing(const std::vector<double>& x, const std::vector<double>& y, double level) {
    if (x.size() != y.size())
        throw invalid_argument("crossing", "y.size()", y.size(), "must equal x.size()");
    for (std::size_t i = 0; i + 1 < x.size(); ++i) {
        if (y[i] >= level && y[i + 1] < level) {
            const double f = (y[i] - level) / (y[i] - y[i + 1]);
            return x[i] + f * (x[i + 1] - x[i]);
        }
    }
    return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace hopfield::capacity
