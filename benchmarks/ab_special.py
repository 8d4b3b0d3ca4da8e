"""A/B of two builds of numkern's log-Bessel ufuncs on the same machine: which change made a range faster?

Run:  python benchmarks/ab_special.py OLD_SO NEW_SO [--rounds 6] [--reps 7]

OLD_SO and NEW_SO are two builds of the extension module numkern._special (for example the .so of an older
commit built with `cmake -S <worktree> -B <dir> -DNUMKERN_CUDA=OFF && cmake --build <dir> --target _special`, and
build/dev/_special*.so of the current tree). Each round runs one fresh process per build, alternating which goes
first (cold-page and frequency effects fall on both), and each process times log_iv and log_kv on the ranges of
bench_special.py, 1 thread, min of --reps calls. Prints the minimum over rounds per build and the speed-up
old/new. Both builds load the same Python package (src/numkern); only the compiled kernels differ.
"""

from __future__ import annotations

import argparse
import os
import collections
import subprocess
import sys
from pathlib import Path

CHILD = r"""
import importlib.machinery, importlib.util, sys, time
loader = importlib.machinery.ExtensionFileLoader("numkern._special", sys.argv[1])
spec = importlib.util.spec_from_loader("numkern._special", loader)
mod = importlib.util.module_from_spec(spec)
loader.exec_module(mod)
import numkern
sys.modules["numkern._special"] = mod
numkern._special = mod
import numpy as np
from threadpoolctl import threadpool_limits
sys.path.insert(0, sys.argv[2])
from bench_special import ranges
from numkern.special import _ufuncs, log_iv, log_kv
assert _ufuncs._special is mod
reps = int(sys.argv[3])
with threadpool_limits(1):
    for name, (v, x) in ranges(np.random.default_rng(0), 200000).items():
        for f in (log_iv, log_kv):
            out = np.empty_like(v)
            f(v, x, out=out)
            best = float("inf")
            for _ in range(reps):
                t0 = time.perf_counter()
                f(v, x, out=out)
                best = min(best, time.perf_counter() - t0)
            print(f"{name}|{f.__name__}|{best / v.size * 1e9:.3f}")
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--reps", type=int, default=7)
    args = ap.parse_args()
    env = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    here = str(Path(__file__).parent)
    times = {"old": collections.defaultdict(list), "new": collections.defaultdict(list)}
    for r in range(args.rounds):
        order = [("old", args.old), ("new", args.new)]
        for tag, so in order if r % 2 == 0 else order[::-1]:
            out = subprocess.run([sys.executable, "-c", CHILD, so, here, str(args.reps)], check=True,
                                 capture_output=True, text=True, env={**os.environ, **env}).stdout
            for line in out.splitlines():
                name, func, ns = line.split("|")
                times[tag][(name, func)].append(float(ns))
    print(f"# A/B, {args.rounds} alternating rounds x {args.reps} calls, 1 thread, ns/element (min); speed-up = old/new")
    for key, old in times["old"].items():
        o, n = min(old), min(times["new"][key])
        print(f"{key[0]:45s} {key[1]:7s} old {o:7.2f} new {n:7.2f}  speed-up {o / n:5.2f}")


if __name__ == "__main__":
    main()
