"""Hostile arguments to numkern.pde: every constructor argument checked, errors name it (issue 18)."""

import numpy as np
import pytest

from numkern.pde import PDE, GPHMSolver


def _pde(**kw):
    args = dict(domain=[(0.0, 2 * np.pi)], terms={(2,): 1.0}, source=lambda x: -np.sin(x), boundary=np.sin,
                exact=np.sin)
    args.update(kw)
    return PDE(**args)


# ------------------------------------------------------------------------------------------------------ PDE
@pytest.mark.parametrize("terms", [{(2,): 0.0}, {(2,): 0.0, (0,): 0.0}, {(2,): 0.0, (1,): -0.0}])
def test_pde_without_a_nonzero_term_raises(terms):
    with pytest.raises(ValueError, match="no nonzero term"):
        _pde(terms=terms)


def test_zero_linear_part_with_a_nonlinearity_is_a_pde():
    pde = _pde(terms={(0,): 0.0}, nonlinearity="cubic")
    assert pde.terms == {(0,): 0.0} and pde.nonlinearity_coefficient == 1.0
    with pytest.raises(ValueError, match="no nonzero term"):
        _pde(terms={(0,): 0.0}, nonlinearity="cubic", nonlinearity_coefficient=0.0)


@pytest.mark.parametrize("kw, exc, name", [
    (dict(terms={(2,): True}), TypeError, "coefficient"),
    (dict(terms={(2,): 1j}), TypeError, "coefficient"),
    (dict(terms={(2,): "1"}), TypeError, "coefficient"),
    (dict(terms={(2,): np.nan}), ValueError, "coefficient"),
    (dict(terms={(2,): np.inf}), ValueError, "coefficient"),
    (dict(terms={(2.0,): 1.0}), TypeError, "derivative order"),
    (dict(terms={("2",): 1.0}), TypeError, "derivative order"),
    (dict(terms=[((2,), 1.0)]), TypeError, "terms"),
    (dict(terms={}), ValueError, "terms"),
    (dict(domain=[(0.0, "1")]), TypeError, r"domain\[0\]\[1\]"),
    (dict(domain=[(0.0, None)]), TypeError, r"domain\[0\]\[1\]"),
    (dict(domain=[(0.0, 1.0, 2.0)]), ValueError, r"domain\[0\]"),
    (dict(domain=5), TypeError, "domain"),
    (dict(domain=[(0.0, np.inf)]), ValueError, "finite"),
    (dict(domain=[(0.0, np.nan)]), ValueError, "finite"),
    (dict(nonlinearity_coefficient="1"), TypeError, "nonlinearity_coefficient"),
    (dict(nonlinearity_coefficient=np.nan), ValueError, "nonlinearity_coefficient"),
    (dict(source=np.nan), ValueError, "source"),
    (dict(source=True), TypeError, "source"),
    (dict(source="x"), TypeError, "source"),
])
def test_pde_arguments(kw, exc, name):
    with pytest.raises(exc, match=name):
        _pde(**kw)


def test_constant_source_still_works():
    pde = _pde(source=2)
    assert pde.evaluate("source", pde.source, (np.zeros(3),), (3,)).tolist() == [2.0, 2.0, 2.0]


# --------------------------------------------------------------------------------------------------- solver
@pytest.mark.parametrize("kw, exc, name", [
    (dict(cg_tol=np.nan), ValueError, "cg_tol"),
    (dict(cg_tol=np.inf), ValueError, "cg_tol"),
    (dict(cg_tol=0.0), ValueError, "cg_tol"),
    (dict(cg_tol="1e-8"), TypeError, "cg_tol"),
    (dict(dense_limit=-1), ValueError, "dense_limit"),
    (dict(dense_limit=2.5), TypeError, "dense_limit"),
    (dict(n_points=20.5), TypeError, "n_points"),
    (dict(n_points="20"), TypeError, "n_points"),
    (dict(n_points=True), TypeError, "n_points"),
    (dict(n_points=[20, 20]), ValueError, "n_points"),
    (dict(n_points=4), ValueError, "n_points"),
    (dict(n_components=0), ValueError, "n_components"),
    (dict(n_components=2.0), TypeError, "n_components"),
    (dict(envelope=None), TypeError, "envelope"),
    (dict(envelope=np.array(["gaussian"])), TypeError, "envelope"),
    (dict(init=None), TypeError, "init"),
    (dict(init="random"), ValueError, "init"),
    (dict(jitter="1"), TypeError, "jitter"),
    (dict(jitter=np.nan), ValueError, "jitter"),
    (dict(jitter=np.inf), ValueError, "jitter"),
    (dict(jitter=0.0), ValueError, "jitter"),
    (dict(boundary_weight=-1.0), ValueError, "boundary_weight"),
    (dict(boundary_weight=np.inf), ValueError, "boundary_weight"),
    (dict(learn_tau="False"), TypeError, "learn_tau"),
    (dict(fix_amplitude="yes"), TypeError, "fix_amplitude"),
    (dict(boundary_residual="no"), TypeError, "boundary_residual"),
    (dict(boundary_residual=1), TypeError, "boundary_residual"),
    (dict(cg_maxiter=0), ValueError, "cg_maxiter"),
    (dict(cg_maxiter=10.0), TypeError, "cg_maxiter"),
    (dict(preconditioner=None), TypeError, "preconditioner"),
    (dict(max_frequency=np.inf), ValueError, "max_frequency"),
    (dict(max_frequency=np.nan), ValueError, "max_frequency"),
    (dict(max_frequency=0.0), ValueError, "max_frequency"),
    (dict(max_frequency="3"), TypeError, "max_frequency"),
    (dict(max_frequency=[1.0, 2.0]), ValueError, "max_frequency"),
    (dict(tau=(1.0, np.inf)), ValueError, "tau"),
    (dict(tau=(0.0, 1.0)), ValueError, "tau"),
    (dict(tau=(1.0, 2.0, 3.0)), ValueError, "tau"),
    (dict(tau="ab"), TypeError, "tau"),
    (dict(tau=(1j, 1.0)), TypeError, "tau"),
])
def test_solver_arguments(kw, exc, name):
    args = dict(n_points=20, n_components=4)
    args.update(kw)
    with pytest.raises(exc, match=name):
        GPHMSolver(_pde(), **args)


def test_max_frequency_inf_no_longer_gives_nan_frequencies():
    # max_frequency=inf warned about aliasing and then started from NaN frequencies (linspace(0, inf)).
    with pytest.raises(ValueError, match="max_frequency"):
        GPHMSolver(_pde(), 20, n_components=4, max_frequency=np.inf)


def test_valid_arguments_in_all_accepted_forms():
    pde2 = PDE([(0, 1), (0, 1)], {(2, 0): 1.0, (0, 2): 1.0}, source=lambda x, y: 0 * x + 1.0,
               boundary=lambda x, y: 0 * x)
    a = GPHMSolver(pde2, (np.int64(12), 10), n_components=np.int64(3), max_frequency=(1.0, 2.0),
                   tau=np.array([1e4, 1e5]), dense_limit=0, learn_tau=np.bool_(True))
    assert a.n_points == (12, 10) and a.dense_limit == 0 and a.learn_tau is True
    np.testing.assert_allclose(a.log_tau, np.log([1e4, 1e5]), rtol=1e-15)
    b = GPHMSolver(pde2, 12, n_components=3, max_frequency=1.0)
    assert b.n_points == (12, 12)


@pytest.fixture(scope="module")
def solver():
    s = GPHMSolver(_pde(), 20, n_components=4)
    s.solve_grid()
    return s


@pytest.mark.parametrize("kw, exc, name", [
    (dict(max_iter=1.5), TypeError, "max_iter"), (dict(max_iter=0), ValueError, "max_iter"),
    (dict(n_test=0), ValueError, "n_test"), (dict(callback=3), TypeError, "callback"),
    (dict(tol=np.nan), ValueError, "tol"), (dict(max_time="1"), TypeError, "max_time"),
    (dict(max_time=-1.0), ValueError, "max_time"), (dict(max_restarts=-1), ValueError, "max_restarts"),
])
def test_fit_arguments(solver, kw, exc, name):
    with pytest.raises(exc, match=name):
        solver.fit(**kw)


def test_prediction_points(solver):
    with pytest.raises(TypeError, match="points"):
        solver.predict("abc")
    with pytest.raises(TypeError, match="points"):
        solver.predict(np.array([1j, 2.0]))
    with pytest.raises(ValueError, match="points must be finite"):  # was "r must be finite" (an internal name)
        solver.predict(np.array([np.nan]))
    with pytest.raises(ValueError, match="points is empty"):
        solver.predict(np.zeros(0))
    with pytest.raises(TypeError, match=r"axes_points\[0\]"):
        solver.predict_grid("abc")
    with pytest.raises(ValueError, match=r"axes_points\[0\] is empty"):
        solver.predict_grid(np.zeros(0))
    with pytest.raises(TypeError, match="n_test"):
        solver.error("5")
    x = np.linspace(0.5, 5.5, 4)
    np.testing.assert_allclose(solver.predict(x.astype(object)), solver.predict(x), rtol=0, atol=0)
    np.testing.assert_allclose(solver.predict_grid(x), solver.predict(x), rtol=1e-12, atol=1e-14)


# ------------------------------------------------------------------------------------------ fuzz findings (issue 24)
@pytest.mark.parametrize("kw, name", [
    (dict(n_points=2 ** 63 - 1), "n_points"), (dict(n_points=2 ** 63), "n_points"),
    (dict(n_points=(20, 2 ** 62)), "n_points"),
    (dict(n_components=2 ** 63 - 1), "n_components"), (dict(n_components=2 ** 63), "n_components"),
])
def test_sizes_beyond_memory_are_refused_naming_the_argument(kw, name):
    # np.linspace(lo, hi, 2**63 - 1) failed inside numpy with "index -1 is out of bounds for axis 0 with size 0".
    args = dict(n_points=20, n_components=4)
    args.update(kw)
    pde = _pde() if isinstance(args["n_points"], int) else PDE(
        [(0, 1), (0, 1)], {(2, 0): 1.0, (0, 2): 1.0}, source=lambda x, y: 0 * x, boundary=lambda x, y: 0 * x)
    with pytest.raises(MemoryError, match=name):
        GPHMSolver(pde, **args)


@pytest.mark.parametrize("bad", [None, "abc", object(), 3])
def test_plot_solution_needs_a_solver(bad):
    from numkern.pde.plotting import plot_solution

    with pytest.raises(TypeError, match="solver"):
        plot_solution(bad, n_test=20)


@pytest.mark.parametrize("n_test, exc", [(True, TypeError), (20.0, TypeError), ("20", TypeError), (None, TypeError),
                                         (0, ValueError), (-1, ValueError), (-(2 ** 63), ValueError),
                                         (10 ** 12, MemoryError)])
def test_plot_solution_n_test(solver, n_test, exc):
    pytest.importorskip("matplotlib")
    from numkern.pde.plotting import plot_solution

    with pytest.raises(exc, match="n_test"):
        plot_solution(solver, n_test=n_test)


def test_plot_solution_still_plots(solver, tmp_path):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    from numkern.pde.plotting import plot_solution

    fig = plot_solution(solver, n_test=np.int64(30), filename=str(tmp_path / "s.png"))
    line = fig.axes[0].lines[0]
    np.testing.assert_array_equal(line.get_xdata(), np.linspace(0, 2 * np.pi, 30))
    np.testing.assert_array_equal(line.get_ydata(), solver.predict_grid(np.linspace(0, 2 * np.pi, 30)))
    assert (tmp_path / "s.png").stat().st_size > 0


# ------------------------------------------------------------------------------------- not fitted (issue 19)
def _before_fit(s):
    x = np.linspace(0.5, 5.5, 4)
    return {"predict": lambda: s.predict(x), "predict(return_std)": lambda: s.predict(x, return_std=True),
            "predict_grid": lambda: s.predict_grid(x), "error": s.error, "offgrid_residual": s.offgrid_residual}


@pytest.mark.parametrize("method", ["predict", "predict(return_std)", "predict_grid", "error", "offgrid_residual"])
def test_predictions_before_fit_raise_not_fitted(method):
    # predict used to return zeros (U starts at zero) and error() the relative error 1.0 of that zero solution.
    from sklearn.exceptions import NotFittedError

    s = GPHMSolver(_pde(), 20, n_components=4)
    with pytest.raises(NotFittedError, match=r"This GPHMSolver instance is not fitted yet; call 'fit' \(or "
                                             r"'solve_grid'\) first"):
        _before_fit(s)[method]()


@pytest.mark.parametrize("how", ["solve_grid", "fit"])
def test_solve_grid_or_fit_makes_the_solver_predict(how):
    s = GPHMSolver(_pde(), 40, n_components=12, max_frequency=1.5)
    getattr(s, how)(**({"max_iter": 2} if how == "fit" else {}))
    x = np.linspace(0.5, 5.5, 4)
    np.testing.assert_allclose(s.predict(x), np.sin(x), atol=2e-3)  # the exact solution, not zeros
    np.testing.assert_allclose(s.predict_grid(x), s.predict(x), rtol=1e-10, atol=1e-12)
    assert s.error() < 1e-3  # measured 3.7e-4 (solve_grid) and 4.5e-4 (fit)


def test_not_fitted_without_scikit_learn(monkeypatch):
    # scikit-learn is optional: importing numkern.pde or numkern.kron does not import it, and without it the
    # error is numkern's stand-in, with sklearn's bases (ValueError, AttributeError)
    import subprocess
    import sys

    from numkern._validation import NotFittedError

    code = "import sys, numkern, numkern.kron, numkern.pde; print([m for m in sys.modules if m[:7] == 'sklearn'])"
    assert subprocess.check_output([sys.executable, "-c", code], text=True, timeout=120).strip() == "[]"
    monkeypatch.setitem(sys.modules, "sklearn.exceptions", None)  # any import of it now fails
    with pytest.raises(NotFittedError, match="This GPHMSolver instance is not fitted yet") as info:
        GPHMSolver(_pde(), 20, n_components=4).predict(np.ones(3))
    assert isinstance(info.value, ValueError) and isinstance(info.value, AttributeError)
    assert type(info.value).__module__ == "numkern._validation"


# ------------------------------------------------------------------------- verbose (issue 19)

def test_fit_verbose_prints_the_callback_values_and_changes_nothing(capsys):
    seen = []
    quiet = GPHMSolver(_pde(), 20, n_components=4)
    r0 = quiet.fit(max_iter=3)
    assert capsys.readouterr().out == ""
    loud = GPHMSolver(_pde(), 20, n_components=4)
    r1 = loud.fit(max_iter=3, verbose=1, callback=lambda i, J, e: seen.append((i, J, e)))
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(r1.history) == len(seen) >= 2  # the start and every L-BFGS-B iteration
    for line, (i, J, e) in zip(lines, r1.history):
        assert line.startswith(f"Iteration {i}: objective ")
        assert float(line.split("objective ")[1].split(",")[0]) == pytest.approx(J, rel=1e-5)
        assert float(line.split("error ")[1]) == pytest.approx(e, rel=1e-5)
    assert seen == r1.history  # the user's callback still gets every iteration
    np.testing.assert_array_equal(loud.theta, quiet.theta)
    assert r1.objective == r0.objective and r1.history == r0.history
    with pytest.raises(TypeError, match="verbose"):
        loud.fit(max_iter=1, verbose="1")
