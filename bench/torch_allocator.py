"""Puts glibc malloc in the steady state a tuned PyTorch CPU process runs in.

PyTorch on the CPU takes each tensor from the system malloc. glibc serves blocks above its
mmap threshold (128 KiB at start, raised as such blocks are freed) with fresh mmap pages and
returns freed heap tops to the kernel above its trim threshold, so whether a 10 MB
intermediate page-faults on every call depends on the allocation history of the process.
Measured here (batch 256, d = 256, N = 1e4, one thread, the same call back to back): 98 ms in
one process state, 31 ms in the other. PyTorch's CPU tuning guides recommend jemalloc or
tcmalloc for this reason; the same effect with glibc is had by keeping blocks up to 32 MiB on
the heap and never trimming it, which is what steady_allocator() sets. The comparison then
measures PyTorch's compute, not its page faults: the fair baseline, and the harder one.
"""
import ctypes

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3


def steady_allocator():
    """Returns True when glibc accepted both settings (False elsewhere: nothing changed)."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return False
    return bool(libc.mallopt(M_MMAP_THRESHOLD, 32 << 20)) and bool(libc.mallopt(M_TRIM_THRESHOLD, 1 << 30))
