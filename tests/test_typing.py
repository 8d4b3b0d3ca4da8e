"""Type information: the py.typed marker, the stubs of the compiled modules, and mypy on a typed example."""

from __future__ import annotations

import ast
import importlib
import os
import textwrap
from pathlib import Path

import pytest

import numkern

PACKAGE_DIR = Path(numkern.__file__).resolve().parent
REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "typed_usage.py"
COMPILED = ("_core", "_special", "_stats", "_integrate", "_cluster", "_sparse", "_kron", "_cuda")


def _stub_names(path: Path) -> set[str]:
    names = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return {n for n in names if not n.startswith("_")}


def test_py_typed_marker_is_in_the_package():
    assert (PACKAGE_DIR / "py.typed").is_file()


@pytest.mark.parametrize("name", COMPILED)
def test_stub_matches_compiled_module(name):
    """Every public name of the compiled module has a stub and every stubbed name exists (no stale stubs)."""
    stub = PACKAGE_DIR / f"{name}.pyi"
    assert stub.is_file(), f"{stub} is missing (python tools/gen_stubs.py writes it)"
    try:
        module = importlib.import_module(f"numkern.{name}")
    except ImportError:
        if name == "_cuda":
            pytest.skip("numkern._cuda is not built (no CUDA)")
        raise
    exported = {n for n in dir(module) if not n.startswith("_")}
    stubbed = _stub_names(stub)
    assert exported - stubbed == set(), f"{name}.pyi lacks stubs; rerun python tools/gen_stubs.py"
    assert stubbed - exported == set(), f"{name}.pyi has stale stubs; rerun python tools/gen_stubs.py"
    # Every function's stub keeps the module's own argument names (the binding's py::arg names).
    tree = ast.parse(stub.read_text())
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            doc = getattr(module, node.name).__doc__ or ""
            for arg in node.args.args + node.args.kwonlyargs:
                if not arg.arg.startswith("arg"):
                    assert f"{arg.arg}:" in doc, (name, node.name, arg.arg)


def _run_mypy(path: Path, tmp_path: Path, monkeypatch) -> tuple[str, int]:
    api = pytest.importorskip("mypy.api")
    if not (REPO / "pyproject.toml").is_file():
        pytest.skip("needs the source tree's pyproject.toml (mypy configuration)")
    if PACKAGE_DIR.parent.name not in ("site-packages", "dist-packages"):
        # Editable install: mypy cannot follow the import hook, so point it at the source tree, where the
        # stubs sit next to the Python modules (installed wheels are found through site-packages and py.typed).
        monkeypatch.setenv("MYPYPATH", str(PACKAGE_DIR.parent))
    stdout, stderr, status = api.run([
        "--config-file", str(REPO / "pyproject.toml"),
        "--cache-dir", str(tmp_path / "mypy-cache"),
        "--strict", "--allow-untyped-calls",  # numkern's Python functions are not annotated (yet)
        "--follow-imports", "silent",  # check the example, not numkern's own modules
        "--show-error-codes", "--no-color-output",
        str(path),
    ])
    return stdout + stderr, status


def test_typed_example_passes_mypy(tmp_path, monkeypatch):
    if not EXAMPLE.is_file():
        pytest.skip("examples/ not available")
    out, status = _run_mypy(EXAMPLE, tmp_path, monkeypatch)
    assert status == 0, out
    assert "Success: no issues found" in out


def test_mypy_reports_misuse(tmp_path, monkeypatch):
    """The check can fail: numkern resolves as a typed library and the stubs' types are used."""
    bad = tmp_path / "bad_usage.py"
    bad.write_text(textwrap.dedent("""\
        import numpy as np
        from numkern import _core, _kron
        from numkern.cluster import fasterpam
        from numkern.integrate import trapezoidal
        from numkern.special import log_iv

        d = np.zeros((3, 3))
        fasterpam(d, 2, random_stat=0)
        n: str = log_iv.nin
        t: str = _core.max_threads()
        _kron.have_blas(1)
        reveal_type(log_iv)
        """))
    out, status = _run_mypy(bad, tmp_path, monkeypatch)
    assert status == 1, out
    expected = {
        4: 'has no attribute "trapezoidal"',  # misspelt public name
        8: 'Unexpected keyword argument "random_stat"',  # signature of a Python function
        9: "[assignment]",  # log_iv is a numpy.ufunc (from _special.make_ufunc's stub): nin is an int
        10: "[assignment]",  # _core.max_threads() -> int
        11: 'Too many arguments for "have_blas"',
        12: 'Revealed type is "numpy.ufunc"',
    }
    for line, text in expected.items():
        assert any(f"bad_usage.py:{line}:" in row and text in row for row in out.splitlines()), (line, text, out)
    assert "import-untyped" not in out and "import-not-found" not in out and "py.typed" not in out, out
    assert os.sep + "numkern" + os.sep not in out.replace(str(tmp_path), ""), out  # no errors inside numkern


def test_typed_example_runs():
    """The example is not only type-correct: its helpers give the right numbers."""
    if not EXAMPLE.is_file():
        pytest.skip("examples/ not available")
    import importlib.util

    import numpy as np
    import scipy.special

    spec = importlib.util.spec_from_file_location("typed_usage", EXAMPLE)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    x = np.linspace(0.0, 10.0, 11)
    assert example.area(x**2, x) == 335.0  # sum_k k^2 - (0 + 100) / 2
    np.testing.assert_allclose(example.log_bessel(1.0, x[1:]), np.log(scipy.special.iv(1.0, x[1:])), rtol=1e-13)
    np.testing.assert_array_equal(example.kron_apply(2.0 * np.eye(3), 3.0 * np.eye(4), np.ones(12)), np.full(12, 6.0))
    pts = np.array([[0.0, 0.0], [0.1, 0.0], [0.0, 0.1], [9.0, 9.0], [9.1, 9.0], [9.0, 9.1]])
    medoids, labels = example.medoids_of(pts, 2)
    assert sorted(medoids.tolist()) == [0, 3]
    assert labels[:3].tolist() == [labels[0]] * 3 and labels[3:].tolist() == [labels[3]] * 3 and labels[0] != labels[3]
    mu, kappa = example.fit_directions(np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]))
    np.testing.assert_allclose(mu, [np.sqrt(0.5), np.sqrt(0.5), 0.0], rtol=1e-14)
    from numkern.stats import mean_resultant_length

    np.testing.assert_allclose(mean_resultant_length(3, kappa), np.sqrt(0.5), rtol=1e-12)  # A_3(kappa) = r bar
    import scipy.sparse as sp

    a = sp.csr_array(np.array([[1.0, 2.0], [0.0, 3.0]]))
    np.testing.assert_array_equal(example.sparse_square(a).toarray(), [[1.0, 8.0], [0.0, 9.0]])
