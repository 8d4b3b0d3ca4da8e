"""Small helpers shared by the per-part demos (timing against a baseline, printing a row)."""

from __future__ import annotations

import time


def best_time(fn, repeat: int = 3) -> float:
    """Minimum wall time of ``fn()`` over ``repeat`` calls, after one warm-up call."""
    fn()
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def compare(label: str, ours, baseline, repeat: int = 3, baseline_name: str = "scipy") -> float:
    """Time ``ours`` and ``baseline`` alternately and print one row with the speed ratio; return the ratio."""
    ours()
    baseline()
    t_ours = t_base = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        ours()
        t_ours = min(t_ours, time.perf_counter() - t0)
        t0 = time.perf_counter()
        baseline()
        t_base = min(t_base, time.perf_counter() - t0)
    ratio = t_base / t_ours if t_ours > 0 else float("inf")
    print(f"  {label:<44} numkern {t_ours * 1e3:9.2f} ms   {baseline_name} {t_base * 1e3:9.2f} ms   x{ratio:6.1f}")
    return ratio
