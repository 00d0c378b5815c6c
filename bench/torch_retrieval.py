#!/usr/bin/env python3
"""The ratio tables of bench_retrieval, with PyTorch as a baseline when it is installed.

Reads the C++ benchmark's JSON output and prints, first, the ratios between the library and
the baselines measured in that same run (the streaming read of X, plain Eigen two-pass, the
bare GEMM pair, one thread against two). Then it runs the same shapes through PyTorch on one
thread (out = X^T softmax(beta X q), and the batched form) and prints library time, PyTorch
time and their ratio side by side.

    bench/torch_retrieval.py BENCH_JSON       (see bench/compare_torch.sh, which makes it)

PyTorch comes from Debian (python3-torch); it is a yardstick, not a dependency. Debian's
torch does its GEMMs through whatever libblas.so.3 the alternatives system points to: with
the reference BLAS its batched products are ~10x slower than with OpenBLAS, so install
libopenblas0-pthread for a fair comparison (compare_torch.sh pins it to one thread). The
library loaded is printed with the table.
"""
import json
import sys
import time

from torch_allocator import steady_allocator

try:
    import torch
except ImportError:
    torch = None

BETA = 8.0


def median_seconds(fn, min_time=0.3, repetitions=5):
    """Median over repetitions of the mean time per call within one repetition."""
    fn()  # warm up
    results = []
    for _ in range(repetitions):
        calls, start = 0, time.perf_counter()
        while True:
            fn()
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= min_time / repetitions:
                break
        results.append(elapsed / calls)
    results.sort()
    return results[len(results) // 2]


def patterns(n, d, seed):
    g = torch.Generator().manual_seed(seed)
    return (torch.rand(n, d, generator=g) * 2 - 1) * (1.7 / d ** 0.5)


def single(d, n):
    X, q = patterns(n, d, 1), patterns(1, d, 2)[0]

    def run():
        with torch.no_grad():
            return X.t() @ torch.softmax(BETA * (X @ q), dim=0)

    return median_seconds(run)


def batch(b, d, n):
    X, Q = patterns(n, d, 1), patterns(b, d, 3)

    def run():
        with torch.no_grad():
            return torch.softmax(BETA * (Q @ X.t()), dim=1) @ X

    return median_seconds(run)


def read_medians(path):
    """{run_name: median real time in seconds} of a Google Benchmark JSON file."""
    with open(path) as f:
        rows = json.load(f)["benchmarks"]
    cpp = {}
    for r in rows:
        if r.get("aggregate_name", "median") != "median":
            continue
        unit = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[r["time_unit"]]
        cpp[r["run_name"]] = r["real_time"] * unit
    return cpp


def same_run_table(cpp):
    """The library against the baselines of the same C++ run (no PyTorch needed)."""
    print("Same run, C++ only (medians):")
    print(f"{'shape':<28} {'hopfield':>10} {'read of X':>10} {'Eigen 2-pass':>13} "
          f"{'time/read':>10} {'Eigen/hopfield':>15}")
    for d in (64, 256, 1024):
        for n in (1000, 10000, 100000):
            for label, kernel, read in (("float", f"single/softmax/{d}/{n}", f"stream_read/{d}/{n}"),
                                        ("bf16", f"single_bf16/softmax/{d}/{n}",
                                         f"stream_read_bf16/{d}/{n}")):
                if kernel not in cpp:
                    continue
                t, eigen = cpp[kernel], cpp.get(f"eigen_two_pass/{d}/{n}")
                shape = f"d={d} N={n} {label}"
                r = cpp.get(read)
                print(f"{shape:<28} {t*1e3:>8.3f}ms "
                      + (f"{r*1e3:>8.3f}ms " if r else f"{'-':>10} ")
                      + (f"{eigen*1e3:>11.3f}ms " if eigen else f"{'-':>13} ")
                      + (f"{t/r:>9.2f}x " if r else f"{'-':>10} ")
                      + (f"{eigen/t:>14.2f}x" if eigen else f"{'-':>15}"))
    one = cpp.get("batch/softmax/256/256/10000/1/real_time")
    two = cpp.get("batch/softmax/256/256/10000/2/real_time")
    gemm = cpp.get("gemm_pair/256/256/10000/real_time")
    if one and gemm:
        print(f"batch 256 d=256 N=10000: {one*1e3:.2f} ms, the bare GEMM pair {gemm*1e3:.2f} ms: "
              f"{gemm/one:.0%} of its throughput")
    if one and two:
        print(f"batch 256 d=256 N=10000 on 2 threads: {two*1e3:.2f} ms, {one/two:.2f}x one thread")


def torch_table(cpp):
    """The library against PyTorch on the same shapes (PyTorch run now, one thread)."""
    torch.set_num_threads(1)
    steady = steady_allocator()
    blas = sorted({line.split()[-1] for line in open("/proc/self/maps") if "blas" in line.lower() and ".so" in line})
    print("PyTorch", torch.__version__, "BLAS:", ", ".join(blas) or "none loaded")
    print(f"{'shape':<34} {'hopfield':>12} {'PyTorch':>12} {'PyTorch/hopfield':>17}")
    for d in (64, 256, 1024):
        for n in (1000, 10000, 100000):
            key, key16 = f"single/softmax/{d}/{n}", f"single_bf16/softmax/{d}/{n}"
            if key not in cpp and key16 not in cpp:
                continue
            t = single(d, n)
            if key in cpp:
                print(f"{'single query d=%d N=%d' % (d, n):<34} {cpp[key]*1e3:>10.3f}ms {t*1e3:>10.3f}ms {t/cpp[key]:>16.2f}x")
            if key16 in cpp:  # bfloat16 storage against PyTorch's float32 retrieval
                print(f"{'  same, bfloat16 patterns':<34} {cpp[key16]*1e3:>10.3f}ms {t*1e3:>10.3f}ms {t/cpp[key16]:>16.2f}x")
    for threads in (1, 2):
        key = f"batch/softmax/256/256/10000/{threads}/real_time"
        if key in cpp:
            t = batch(256, 256, 10000)
            print(f"{'batch 256 d=256 N=10000 (%d thr)' % threads:<34} {cpp[key]*1e3:>10.3f}ms {t*1e3:>10.3f}ms {t/cpp[key]:>16.2f}x")
    print("(PyTorch on one thread" + (", glibc malloc kept steady (bench/torch_allocator.py)" if steady else "")
          + "; hopfield thread count as labelled; medians of one run each)")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    cpp = read_medians(sys.argv[1])
    same_run_table(cpp)
    print()
    if torch is None:
        print("PyTorch is not installed (apt-get install python3-torch): its table is skipped")
        return
    torch_table(cpp)


if __name__ == "__main__":
    main()
