"""Operands with a 2**31-column declared shape and little data: numkern's product stays within memory.

scipy's own ``A @ B`` allocates per-column work arrays for such a B and is OOM-killed on a 24 GiB machine; numkern's
hash accumulators only grow with the products. The product runs in a fresh interpreter so that the peak resident
memory (VmHWM) it reports is the product's own.
"""

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import scipy.sparse as sp

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")

_SCRIPT = textwrap.dedent(
    """
    import json, sys
    import numpy as np, scipy.sparse as sp
    import numkern.sparse as ns

    def hwm():
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM"):
                return int(line.split()[1]) * 1024

    n = 2000
    A = sp.random(n, n, density=0.002, format="csr", random_state=0)
    cols = np.random.default_rng(0).integers(0, 2**31, size=3 * n)
    B = sp.csr_array((np.arange(1.0, 3 * n + 1), (np.repeat(np.arange(n), 3), cols)), shape=(n, 2**31 + 5))
    before = hwm()
    C = ns.matmul(A, B)
    grew = hwm() - before
    np.savez(sys.argv[1], data=C.data, indices=C.indices, indptr=C.indptr, shape=C.shape)
    print(json.dumps({"grew": grew}))
    """
)


def test_two_to_the_31_columns_in_little_memory(tmp_path):
    out = tmp_path / "c.npz"
    proc = subprocess.run([sys.executable, "-c", _SCRIPT, str(out)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    grew = json.loads(proc.stdout.strip().splitlines()[-1])["grew"]
    assert grew < 64 * 2**20, f"the product raised the peak resident memory by {grew / 2**20:.0f} MiB"

    # Reference: compress B's columns to the ones that occur, multiply with scipy, map the columns back.
    n = 2000
    A = sp.random(n, n, density=0.002, format="csr", random_state=0)
    cols = np.random.default_rng(0).integers(0, 2**31, size=3 * n)
    used, compressed = np.unique(cols, return_inverse=True)
    Bc = sp.csr_array((np.arange(1.0, 3 * n + 1), (np.repeat(np.arange(n), 3), compressed)), shape=(n, used.size))
    ref = (A @ Bc).tocoo()
    got = np.load(out)
    assert tuple(got["shape"]) == (n, 2**31 + 5)
    C = sp.csr_array((got["data"], got["indices"], got["indptr"]), shape=(n, 2**31 + 5)).tocoo()
    key = lambda r, c: np.lexsort((c, r))  # noqa: E731
    i, j = key(C.row, C.col), key(ref.row, used[ref.col])
    np.testing.assert_array_equal(C.row[i], ref.row[j])
    np.testing.assert_array_equal(C.col[i], used[ref.col][j])
    np.testing.assert_allclose(C.data[i], ref.data[j], rtol=1e-15)
