#!/usr/bin/python3
"""The Hopfield layer forward pass in PyTorch and in C++ (bench_layers), in one run.

    /usr/bin/python3 bench/layers_vs_torch.py [--bench build/bench/bench_layers] [--repetitions 7]

Case (issue 5): B = 32, L = S = 128, 4 heads, d = 256 (head_dim 64), self-association with the
reference's defaults (three LayerNorms, fused q/k/v projection, softmax, one association,
output projection), float32, inference (no autograd). Two PyTorch versions of the same forward
are timed, and the faster one is the baseline:

  * "torch reference": tests/reference/hopfield_reference.py, the project's plain reference;
  * "torch fused": the forward as the hflayers package / nn.MultiheadAttention compute it,
    one fused in-projection, batched (B*H) bmm, torch.softmax, bmm, out-projection.

Both are checked to agree with each other first. The C++ time is the median of the
benchmark `hopfield_forward/float/softmax` of bench_layers (build it with
-DHOPFIELD_BUILD_BENCHMARKS=ON -DHOPFIELD_NATIVE=ON for meaningful numbers). Wall-clock
medians, same run;
the ratio is torch time / C++ time (> 1: C++ faster). The measurements are interleaved round
by round, so that a change of machine load affects both sides. PyTorch's thread count and the BLAS
library it loaded are printed: Debian's python3-torch calls whatever libblas.so.3 is selected
(the reference BLAS by default; see docs/layers.md for running it on OpenBLAS).
"""

import argparse
import glob
import json
import math
import os
import statistics
import subprocess
import sys
import time

try:
    import torch
except ImportError:  # e.g. a pyenv python3 first on PATH: use Debian's, which has python3-torch
    if os.path.exists("/usr/bin/python3") and os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    raise

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "reference"))
import hopfield_reference as ref  # noqa: E402
from torch_allocator import steady_allocator  # noqa: E402

B, L, H, D = 32, 128, 4, 256
BENCHMARK = "hopfield_forward/float/softmax"


def make_params(o, gen):
    params = {}
    for key, shape in ref.parameter_shapes(o).items():
        n = torch.randn(shape, generator=gen, dtype=torch.float32)
        if len(shape) == 2:
            params[key] = 1.6 * n / math.sqrt(shape[1])
        elif key.endswith("weight"):
            params[key] = 1.0 + 0.3 * n
        else:
            params[key] = 0.3 * n
    return params


def fused_forward(p, x, o):
    """The MultiheadAttention-style forward (what hflayers computes on its default path)."""
    ln = torch.nn.functional.layer_norm
    eps = 1e-5
    y = ln(x, (D,), p["norm_stored_pattern.weight"], p["norm_stored_pattern.bias"], eps)
    r = ln(x, (D,), p["norm_state_pattern.weight"], p["norm_state_pattern.bias"], eps)
    v = ln(x, (D,), p["norm_pattern_projection.weight"], p["norm_pattern_projection.bias"], eps)
    W, b = p["association_core.in_proj_weight"], p["association_core.in_proj_bias"]
    q = torch.nn.functional.linear(r, W[:D], b[:D])
    k = torch.nn.functional.linear(y, W[D:2 * D], b[D:2 * D])
    v = torch.nn.functional.linear(v, W[2 * D:], b[2 * D:])
    hd = D // H
    q = q.reshape(B, L, H, hd).transpose(1, 2).reshape(B * H, L, hd) * o["beta"][0]
    k = k.reshape(B, L, H, hd).transpose(1, 2).reshape(B * H, L, hd)
    v = v.reshape(B, L, H, hd).transpose(1, 2).reshape(B * H, L, hd)
    a = torch.softmax(torch.bmm(q, k.transpose(1, 2)), dim=-1)
    out = torch.bmm(a, v).reshape(B, H, L, hd).transpose(1, 2).reshape(B, L, H * hd)
    return torch.nn.functional.linear(out, p["association_core.out_proj.weight"], p["association_core.out_proj.bias"])


def time_it(fn, repetitions, min_seconds=0.5):
    fn()  # warm-up
    times = []
    for _ in range(repetitions):
        n, start = 0, time.perf_counter()
        while True:
            fn()
            n += 1
            elapsed = time.perf_counter() - start
            if elapsed >= min_seconds / repetitions or n >= 50:
                break
        times.append(elapsed / n)
    return statistics.median(times)


def loaded_blas():
    with open("/proc/self/maps") as f:
        libs = {line.split()[-1] for line in f if "blas" in line.lower() and "/" in line}
    return ", ".join(sorted(libs)) or "unknown"


def find_bench():
    for pattern in ("build*/bench/bench_layers", "build*/bench_layers", "build*/*/bench_layers"):
        found = sorted(glob.glob(os.path.join(ROOT, pattern)), key=os.path.getmtime)
        if found:
            return found[-1]
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench", help="path of the bench_layers executable")
    parser.add_argument("--repetitions", type=int, default=7, help="interleaved rounds")
    parser.add_argument("--torch-threads", type=int, default=None,
                        help="torch.set_num_threads (default: torch's own choice)")
    args = parser.parse_args()
    bench = args.bench or find_bench()
    if bench is None or not os.path.exists(bench):
        sys.exit("bench_layers not found: build it (cmake -DHOPFIELD_BUILD_BENCHMARKS=ON "
                 "-DHOPFIELD_NATIVE=ON) and pass --bench PATH")
    if args.torch_threads:
        torch.set_num_threads(args.torch_threads)
    steady = steady_allocator()  # PyTorch's compute, not its page faults (torch_allocator.py)

    o = ref.resolve(dict(input_size=D, num_heads=H))
    params = make_params(o, torch.Generator().manual_seed(1))
    x = torch.randn(B, L, D, generator=torch.Generator().manual_seed(2), dtype=torch.float32)
    model = ref.Hopfield(dict(input_size=D, num_heads=H), params)
    with torch.no_grad():
        a = model.forward(x, x, x)["output"]
        b = fused_forward(params, x, o)
        err = (a - b).abs().max().item() / b.abs().max().item()
        assert err < 1e-4, f"the two torch forwards disagree: {err}"

    # The machine may be shared: the three measurements are interleaved, round after round,
    # so that a change of load hits all of them; the medians over the rounds are compared.
    cmd = [bench, f"--benchmark_filter=^{BENCHMARK}(/real_time)?$", "--benchmark_format=json",
           "--benchmark_min_time=0.3"]
    t_ref, t_fused, t_cpp = [], [], []
    for _ in range(args.repetitions):
        with torch.no_grad():
            t_ref.append(time_it(lambda: model.forward(x, x, x), 1, 0.3))
            t_fused.append(time_it(lambda: fused_forward(params, x, o), 1, 0.3))
        run = subprocess.run(cmd, check=True, capture_output=True, text=True)
        try:
            result = json.loads(run.stdout)["benchmarks"][0]
        except (ValueError, IndexError, KeyError):
            sys.exit(f"no result of {BENCHMARK} in the output of {bench}:\n{run.stdout}{run.stderr}")
        scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[result["time_unit"]]
        t_cpp.append(result["real_time"] * scale)

    med = statistics.median
    t_torch = min(med(t_ref), med(t_fused))
    print(f"Hopfield forward, B={B} L=S={L} H={H} d={D}, float32, wall-clock medians of {args.repetitions} "
          f"interleaved rounds")
    print(f"  torch {torch.__version__}, torch.get_num_threads() = {torch.get_num_threads()}, "
          f"threads in the process = {len(os.listdir('/proc/self/task'))} (BLAS threads included)")
    print(f"  BLAS loaded by torch: {loaded_blas()}; glibc malloc kept steady: {steady}")
    print(f"  torch reference (tests/reference): {med(t_ref) * 1e3:8.2f} ms")
    print(f"  torch fused (MHA-style):           {med(t_fused) * 1e3:8.2f} ms")
    print(f"  C++ bench_layers ({BENCHMARK}): {med(t_cpp) * 1e3:8.2f} ms   [{os.path.abspath(bench)}]")
    print(f"  ratio torch / C++ = {t_torch / med(t_cpp):.2f}  (> 1: C++ faster; torch = the faster torch version)")


if __name__ == "__main__":
    main()
