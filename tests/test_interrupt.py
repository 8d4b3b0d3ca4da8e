"""Ctrl-C stops long C++ work within about a second (issue 19), and the module stays usable afterwards.

Each case runs in a child process that starts a call taking tens of seconds, receives SIGINT once the call is
under way, and must report KeyboardInterrupt quickly; before the cancellation points existed the signal was
only seen when the call returned (fasterpam on 30 000 points: 30 s here).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

pytestmark = pytest.mark.skipif(os.name != "posix", reason="sends SIGINT to a child process")

CHILD = textwrap.dedent(
    """
    import sys, time
    import numpy as np
    import numkern.cluster as nc

    rng = np.random.default_rng(0)
    X = rng.standard_normal((int(sys.argv[2]), 8))
    small = rng.standard_normal((200, 8))
    calls = {{
        "fasterpam": lambda: nc.fasterpam(X, 50, metric="euclidean", random_state=0, n_threads={threads}, max_iter=1000),
        "pam": lambda: nc.pam(X, 50, metric="euclidean", n_threads={threads}),
        "fastclarans": lambda: nc.fastclarans(X, 50, metric="euclidean", random_state=0, maxneighbor=10**9,
                                             n_threads={threads}),
    }}
    expected = nc.fasterpam(small, 3, random_state=0, metric="euclidean").loss
    print("ready", flush=True)
    try:
        calls[sys.argv[1]]()
        print("finished", flush=True)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
    # the module is still usable and gives the same answer as before the interrupt
    print("after", nc.fasterpam(small, 3, random_state=0, metric="euclidean").loss == expected, flush=True)
    """
)


def _interrupt(call, n, threads, delay=1.0):
    return run_interrupted([CHILD.format(threads=threads), call, str(n)], delay)


def run_interrupted(argv, delay, timeout=120):
    """Run `python -c argv[0] argv[1:]`, send SIGINT `delay` s after it prints "ready": (its words, seconds it
    took to exit after the signal). Also used by tests/sparse/test_interrupt_spgemm.py."""
    p = subprocess.Popen([sys.executable, "-c", *argv], stdout=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline().strip() == "ready"
        time.sleep(delay)
        start = time.perf_counter()
        p.send_signal(signal.SIGINT)
        out, _ = p.communicate(timeout=timeout)
        return out.split(), time.perf_counter() - start
    finally:
        if p.poll() is None:
            p.kill()


@pytest.mark.parametrize(
    "call, n, threads",
    [("fasterpam", 30000, 1), ("fasterpam", 30000, 2), ("pam", 20000, 2), ("fastclarans", 30000, 1)],
)
def test_sigint_stops_long_kmedoids(call, n, threads):
    out, waited = _interrupt(call, n, threads)
    assert out == ["interrupted", "after", "True"], out
    # the kernels poll every 100 ms; allow for a loaded 2-core machine
    assert waited < 5.0, waited
