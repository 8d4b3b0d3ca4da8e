"""scikit-learn is optional: one declared floor (1.6), a clear ImportError below it, no eager import (issue 19)."""

import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

from numkern import _sklearn

sklearn = pytest.importorskip("sklearn")

_ESTIMATOR_MODULES = {
    "numkern.cluster._estimator": ("numkern.cluster", "KMedoids"),
    "numkern.stats._vmf_mixture": ("numkern.stats", "VonMisesFisherMixture"),
}


def test_declared_floor_matches_the_code():
    tomllib = pytest.importorskip("tomllib")
    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    extras = tomllib.loads(pyproject.read_text())["project"]["optional-dependencies"]
    floor = ".".join(map(str, _sklearn.MIN_VERSION))
    assert _sklearn.MIN_VERSION == (1, 6)  # validate_data appeared in scikit-learn 1.6
    for extra in ("sklearn", "test"):
        declared = [req for req in extras[extra] if re.match(r"scikit-learn\b", req)]
        assert declared == [f"scikit-learn>={floor}"], (extra, declared)


@pytest.mark.parametrize("version, ok", [
    ("1.5.2", False), ("1.4.0", False), ("0.24.2", False), ("1.6.0", True), ("1.6.dev0", True),
    ("1.10.1", True), ("2.0rc1", True),
])
def test_version_check(monkeypatch, version, ok):
    monkeypatch.setattr(sklearn, "__version__", version)
    if ok:
        assert _sklearn.check_sklearn_version("X") is None
    else:
        with pytest.raises(ImportError) as info:
            _sklearn.check_sklearn_version("numkern.cluster.KMedoids")
        message = str(info.value)
        assert message.startswith("numkern.cluster.KMedoids needs scikit-learn >= 1.6")
        assert f"scikit-learn {version} is installed" in message
        assert 'pip install "numkern[sklearn]"' in message


@pytest.mark.parametrize("module", sorted(_ESTIMATOR_MODULES))
def test_old_sklearn_gives_clear_import_error(monkeypatch, module):
    # scikit-learn 1.4/1.5 used to break KMedoids' import (no validate_data) and silently turn
    # VonMisesFisherMixture into a non-estimator; both now refuse with the version and the fix.
    package, name = _ESTIMATOR_MODULES[module]
    monkeypatch.setattr(sklearn, "__version__", "1.5.2")
    monkeypatch.delitem(sys.modules, module, raising=False)  # restored (the working module) after the test
    with pytest.raises(ImportError, match=r'needs scikit-learn >= 1\.6 .*scikit-learn 1\.5\.2 is installed.*'
                                          r'pip install "numkern\[sklearn\]"') as info:
        getattr(importlib.import_module(package), name)
    assert name in str(info.value)


def test_missing_sklearn_kmedoids_import_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)  # any import of scikit-learn now fails
    monkeypatch.delitem(sys.modules, "numkern.cluster._estimator", raising=False)
    with pytest.raises(ImportError, match=r'KMedoids needs scikit-learn >= 1\.6, which is not installed.*'
                                          r'pip install "numkern\[sklearn\]"'):
        from numkern.cluster import KMedoids  # noqa: F401


def test_subpackage_imports_do_not_load_sklearn():
    code = """
import sys
import numkern.stats, numkern.cluster
assert "sklearn" not in sys.modules, sorted(m for m in sys.modules if m.startswith("sklearn"))
assert "VonMisesFisherMixture" in dir(numkern.stats) and "KMedoids" in numkern.cluster.__all__
import numpy as np
assert numkern.stats.vonmises_fisher(np.array([0.0, 0.0, 1.0]), 2.0).pdf(np.array([0.0, 0.0, 1.0])) > 0
assert "sklearn" not in sys.modules
from numkern.stats import VonMisesFisherMixture
from numkern.cluster import KMedoids
from sklearn.base import BaseEstimator
assert issubclass(VonMisesFisherMixture, BaseEstimator) and issubclass(KMedoids, BaseEstimator)
print("ok")
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
