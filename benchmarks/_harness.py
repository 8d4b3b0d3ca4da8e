"""The one timing harness of numkern's benchmarks: environment pinning, races, statistics, results files.

Import it FIRST in a benchmark script (before numpy), so that the pinning reaches the BLAS and OpenMP runtimes
when they load::

    from _harness import pin_environment, race, Timing, header, Results
    pin_environment()                      # BLAS 1 thread, passive OpenMP waiting (see below)
    import numpy as np
    ...
    print(header())                        # cores, load, versions: one line to quote with the numbers
    r = race({"numkern": ours, "scipy": theirs}, repeat=5)
    print(r["numkern"].min, r.ratio("scipy", "numkern"), r.pair_ratio("scipy", "numkern"))

Why the shape: the machines we quote are shared 2-core VMs with noisy neighbours and cold-page effects.
Contenders therefore run ALTERNATELY after a warm-up of each, in reversed order in odd rounds (a slow phase of
the machine hits both, and neither always runs on memory the other just freed); `settle` sleeps before every
call so freed memory is handed back to the host first (cold-page cost paid by everyone, as in a fresh
process). Statistics: the minimum (the best estimate of the cost on a quiet machine), the median, and the
pair ratio, the median over rounds of t_base / t_ours measured back to back, the most robust figure when the
load changes during a run. The load average is recorded with every race: a load above the core count means
the threads did not have the cores to themselves.
"""

from __future__ import annotations

import gc
import json
import os
import platform
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from typing import Callable, Mapping

__all__ = ["pin_environment", "header", "environment", "Timing", "Race", "race", "time_call", "Results", "load"]


def pin_environment(blas_threads: int = 1, omp_wait_policy: str = "passive") -> None:
    """Pin BLAS threads and OpenMP's wait policy unless the user exported them (call before importing numpy).

    OpenMP threads that spin while waiting steal the time slices of the thread doing a serial part on a shared
    machine (k-medoids with 2 threads measured 0.34 s passive vs 2-3.5 s with libgomp's active default).
    """
    for var in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS_BLAS", "BLIS_NUM_THREADS"):
        os.environ.setdefault(var, str(blas_threads))
    os.environ.setdefault("OMP_WAIT_POLICY", omp_wait_policy)


def load() -> float:
    """The 1-minute load average (nan where the OS has none)."""
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return float("nan")


def environment() -> dict:
    """The facts a timing needs next to it: cores, load, versions, thread settings."""
    info = {
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "load_1min": round(load(), 2),
        "python": platform.python_version(),
        "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS"),
        "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS"),
        "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY"),
        "time": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    for mod in ("numpy", "scipy", "numkern"):
        m = sys.modules.get(mod)
        if m is not None:
            info[mod] = getattr(m, "__version__", "?")
    return info


def header() -> str:
    """One line describing the machine and settings, to print above a table."""
    e = environment()
    parts = [f"{e.get('cpu', e['machine'])}", f"{e['cpu_count']} cores", f"load {e['load_1min']}"]
    parts += [f"{k}={e[k]}" for k in ("numpy", "scipy", "numkern") if k in e]
    parts += [f"BLAS threads {e['OPENBLAS_NUM_THREADS']}", f"OMP_WAIT_POLICY={e['OMP_WAIT_POLICY']}"]
    return "# " + ", ".join(parts)


def time_call(fn: Callable[[], object], settle: float = 0.0) -> float:
    """Wall seconds of one call (the result is dropped outside the timed region). `settle`: sleep first."""
    gc.collect()
    if settle > 0:
        time.sleep(settle)
    t0 = time.perf_counter()
    out = fn()
    dt = time.perf_counter() - t0
    del out
    return dt


@dataclass
class Timing:
    """The timed runs of one contender (warm-up excluded)."""

    times: list = field(default_factory=list)

    @property
    def min(self) -> float:
        return min(self.times) if self.times else float("nan")

    @property
    def median(self) -> float:
        return statistics.median(self.times) if self.times else float("nan")


class Race(dict):
    """name -> Timing, plus the ratios between contenders; `load` is the load average when it finished."""

    load: float = float("nan")

    def ratio(self, base: str, ours: str) -> float:
        """min(base) / min(ours): > 1 means `ours` is faster."""
        return self[base].min / self[ours].min

    def median_ratio(self, base: str, ours: str) -> float:
        return self[base].median / self[ours].median

    def pair_ratio(self, base: str, ours: str) -> float:
        """Median over rounds of base/ours measured back to back in the same round."""
        pairs = [b / o for b, o in zip(self[base].times, self[ours].times) if o > 0]
        return statistics.median(pairs) if pairs else float("nan")


def race(
    contenders: Mapping[str, Callable[[], object]],
    repeat: int = 5,
    warmup: int = 1,
    settle: float = 0.0,
    budget: float | None = None,
    between: Mapping[str, Callable[[], None]] | None = None,
) -> Race:
    """Run the contenders alternately: `warmup` untimed round(s), then `repeat` timed rounds, the order
    reversed in odd rounds. `budget` (seconds): stop after the round in which the total time passed it (at
    least one timed round). `between`: name -> a callable run untimed just before that contender (e.g. switch
    the BLAS thread count)."""
    names = list(contenders)
    between = between or {}

    def one(name):
        if name in between:
            between[name]()
        return time_call(contenders[name], settle)

    for _ in range(warmup):
        for name in names:
            one(name)
    result = Race({name: Timing() for name in names})
    start = time.perf_counter()
    for rnd in range(max(1, repeat)):
        for name in names if rnd % 2 == 0 else reversed(names):
            result[name].times.append(one(name))
        if budget is not None and time.perf_counter() - start > budget:
            break
    result.load = load()
    return result


class Results:
    """Rows of a benchmark table, printed as they come and optionally written as JSON with the environment.

    rows are dicts; `print_row` formats them with the given column formats."""

    def __init__(self, name: str, columns: Mapping[str, str]):
        self.name = name
        self.columns = dict(columns)
        self.rows: list[dict] = []

    def print_header(self) -> None:
        print(header())
        print("  ".join(f"{c:>{self._width(c)}}" for c in self.columns))

    def _width(self, col: str) -> int:
        fmt = self.columns[col]
        digits = "".join(ch for ch in fmt.split(".")[0] if ch.isdigit())
        return max(len(col), int(digits) if digits else 0)

    def add(self, **row) -> dict:
        self.rows.append(row)
        cells = []
        for col, fmt in self.columns.items():
            v = row.get(col, "")
            w = self._width(col)
            try:
                cells.append(f"{v:{fmt}}".rjust(w) if v != "" else " " * w)
            except (ValueError, TypeError):
                cells.append(f"{v!s:>{w}}")
        print("  ".join(cells), flush=True)
        return row

    def write_json(self, path: str) -> None:
        with open(path, "w") as f:
            json.dump({"benchmark": self.name, "environment": environment(), "rows": self.rows}, f, indent=1,
                      default=lambda o: asdict(o) if hasattr(o, "__dataclass_fields__") else str(o))
