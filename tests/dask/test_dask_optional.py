"""Dask stays optional: importing numkern (every domain with a dask hook) never imports dask."""

import subprocess
import sys


def test_import_does_not_load_dask():
    code = ("import sys, numkern, numkern.integrate, numkern.stats, numkern.sparse, numkern.cluster\n"
            "import numpy as np\n"
            "numkern.integrate.trapezoid(np.ones(5)); numkern.stats.vonmises_fisher.fit(np.eye(3))\n"
            "bad = sorted(m for m in sys.modules if m == 'dask' or m.startswith(('dask.', 'distributed')))\n"
            "assert not bad, bad\n")
    subprocess.run([sys.executable, "-c", code], check=True)
