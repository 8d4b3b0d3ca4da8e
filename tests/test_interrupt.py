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
        "fastermsc": lambda: nc.fastermsc(X, 50, metric="euclidean", random_state=0, n_threads={threads},
                                          max_iter=1000),
        "dynmsc": lambda: nc.dynmsc(X, 40, metric="euclidean", random_state=0, n_threads={threads}),
        "pamsil": lambda: nc.pamsil(X, 5, metric="euclidean", n_threads={threads}),
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
    [("fasterpam", 30000, 1), ("fasterpam", 30000, 2), ("pam", 20000, 2), ("fastclarans", 30000, 1),
     ("fastermsc", 30000, 2), ("dynmsc", 30000, 1), ("pamsil", 1500, 2)],
)
def test_sigint_stops_long_kmedoids(call, n, threads):
    out, waited = _interrupt(call, n, threads)
    assert out == ["interrupted", "after", "True"], out
    # the kernels poll every 100 ms; allow for a loaded 2-core machine
    assert waited < 5.0, waited


CHILD_KRON_BQ = textwrap.dedent(
    """
    import sys
    import numpy as np
    import numkern.integrate as ni
    from numkern.kron import KroneckerOperator, kron_matmul

    rng = np.random.default_rng(0)
    small = [rng.standard_normal((3, 4)), rng.standard_normal((2, 5))]
    xs = rng.standard_normal(20)
    nodes = np.linspace(0.0, 1.0, 50)
    expected = (KroneckerOperator(*small, method="blocked") @ xs, ni.bq_weights(nodes, "matern52", 0.5).weights)
    if sys.argv[1] == "kron":  # two rotation steps of 16 GFlop each in numkern's blocked kernel
        big = rng.standard_normal((2000, 2000))
        op = KroneckerOperator(big, big, method="blocked", n_threads=1)
        x = rng.standard_normal(op.shape[1])
        call = lambda: op @ x
    else:  # one Kalman pass over 10^6 nodes with distinct gaps (a fresh discretisation at every node)
        N = 10**6
        x = (np.arange(N) + 0.5 * rng.uniform(size=N)) / N
        call = lambda: ni.bq_weights(x, "matern52", 0.5)
    print("ready", flush=True)
    try:
        call()
        print("finished", flush=True)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
    after = (KroneckerOperator(*small, method="blocked") @ xs, ni.bq_weights(nodes, "matern52", 0.5).weights)
    print("after", all(np.array_equal(a, b) for a, b in zip(after, expected)), flush=True)
    """
)


@pytest.mark.parametrize("call", ["kron", "bayes_quad"])
def test_sigint_stops_long_kron_product_and_bayes_quad(call):
    p = subprocess.Popen([sys.executable, "-c", CHILD_KRON_BQ, call], stdout=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline().strip() == "ready"
        time.sleep(1.0)
        start = time.perf_counter()
        p.send_signal(signal.SIGINT)
        out, _ = p.communicate(timeout=120)
        waited = time.perf_counter() - start
    finally:
        if p.poll() is None:
            p.kill()
    assert out.split() == ["interrupted", "after", "True"], out
    assert waited < 5.0, waited
