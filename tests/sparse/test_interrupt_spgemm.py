"""Ctrl-C stops a long sparse product within about a second (issues 19 and 20), and the module stays usable.

As tests/test_interrupt.py: a child process starts the product, receives SIGINT once it is under way and must
report KeyboardInterrupt quickly. Before the cancellation points the signal was only seen when the product
returned (the two-phase product below takes tens of seconds here).
"""

from __future__ import annotations

import importlib.util
import os
import pathlib
import textwrap

import pytest

pytestmark = pytest.mark.skipif(os.name != "posix", reason="sends SIGINT to a child process")

CHILD = textwrap.dedent(
    """
    import sys
    import numpy as np
    import scipy.sparse as sp
    import numkern.sparse as ns

    call, n, density, dtype, threads = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4], int(sys.argv[5])
    A = sp.random_array((n, n), density=density, format="csr", rng=0, dtype=dtype)
    small = sp.random_array((50, 50), density=0.1, format="csr", rng=1)
    expected = (small @ small).toarray()
    calls = {
        # flop > 2**31 with int32 indices: symbolic phase, then numeric phase
        "two_phase": lambda: ns.matmul(A, A, n_threads=threads),
        # flop < 2**31: the single pass
        "single_pass": lambda: ns.matmul(A, A, n_threads=threads),
        "plan": lambda: ns.spgemm_plan(A, A, n_threads=threads),
        "masked": lambda: ns.masked_matmul(A, A, A, n_threads=threads),
    }
    print("ready", flush=True)
    try:
        calls[call]()
        print("finished", flush=True)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
    C = ns.matmul(small, small)
    print("after", bool(np.allclose(C.toarray(), expected, rtol=1e-14, atol=0)), flush=True)
    """
)


_spec = importlib.util.spec_from_file_location(
    "interrupt_helpers", pathlib.Path(__file__).parents[1] / "test_interrupt.py"
)
_helpers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_helpers)


@pytest.mark.parametrize(
    "call, n, density, dtype, threads",
    [
        # 6.9e9 multiplications: ~28 s on one core (symbolic ~5.5 s, then numeric)
        ("two_phase", 3500, 0.4, "float64", 1),
        ("two_phase", 3500, 0.4, "float64", 2),
        # 1.9e9 multiplications (float32: the single pass reserves 8 bytes per multiplication of address space)
        ("single_pass", 2000, 0.49, "float32", 1),
        ("single_pass", 2000, 0.49, "float32", 2),
        ("plan", 3500, 0.4, "float64", 1),
        ("masked", 3500, 0.4, "float64", 2),
    ],
)
def test_sigint_stops_long_spgemm(call, n, density, dtype, threads):
    # the single pass takes ~3.5 s here: interrupted early; the others while their first phase runs (the
    # symbolic phase of the two-phase product alone takes ~5.5 s, the whole product ~28 s on one core)
    delay = 0.5 if call == "single_pass" else 1.5
    out, waited = _helpers.run_interrupted([CHILD, *map(str, (call, n, density, dtype, threads))], delay=delay,
                                           timeout=300)
    assert out == ["interrupted", "after", "True"], out
    # the kernels poll every 2**16 multiplications per thread, the hook every 100 ms; allow for a loaded machine.
    # Without the polls the signal waits for the running phase to return (2-5 s here, whole products 3.5-28 s).
    assert waited < 2.0, waited
