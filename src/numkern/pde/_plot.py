"""Optional matplotlib figure: solution, pointwise error and the learned spectrum."""

from __future__ import annotations

import numpy as np


def plot_solution(solver, n_test=300, filename=None):
    """Plot the GP-HM solution, its error (if the PDE has an exact solution) and the learned spectrum per axis.

    Parameters
    ----------
    solver : GPHMSolver
        A fitted solver.
    n_test : int
        Plot points per axis.
    filename : str, optional
        Save the figure there.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = plot_solution(solver, filename="solution.png")  # doctest: +SKIP
    """
    from numkern._validation import check_allocation, check_integer

    from ._solver import GPHMSolver

    if not isinstance(solver, GPHMSolver):
        raise TypeError(f"solver must be a numkern.pde.GPHMSolver, got {solver!r:.80} of type {type(solver).__name__}")
    n_test = check_integer(n_test, "n_test", min_value=1)
    check_allocation(8 * n_test ** solver.pde.dim, f"n_test: {n_test} plot points per axis in {solver.pde.dim} "
                     "dimensions")
    try:
        import matplotlib

        if filename is not None:
            matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - optional dependency
        raise ImportError("plot_solution needs matplotlib (pip install matplotlib)") from exc
    pde = solver.pde
    pts = [np.linspace(lo, hi, n_test) for lo, hi in pde.domain]
    pred = solver.predict_grid(*pts)
    has_exact = pde.exact is not None
    ncols = 2 + pde.dim if has_exact else 1 + pde.dim
    fig, axs = plt.subplots(1, ncols, figsize=(4.2 * ncols, 3.6))
    k = 0
    if pde.dim == 1:
        axs[k].plot(pts[0], pred, lw=0.8)
        axs[k].set_title("GP-HM solution")
        k += 1
        if has_exact:
            axs[k].semilogy(pts[0], np.abs(pred - pde.exact(pts[0])) + 1e-300, lw=0.8)
            axs[k].set_title("|error|")
            k += 1
    else:
        sl = pred if pde.dim == 2 else pred[:, :, n_test // 2]
        im = axs[k].imshow(sl.T, origin="lower", aspect="auto", extent=[*pde.domain[0], *pde.domain[1]])
        fig.colorbar(im, ax=axs[k])
        axs[k].set_title("GP-HM solution")
        k += 1
        if has_exact:
            ex = np.broadcast_to(pde.exact(*np.meshgrid(*pts, indexing="ij", sparse=True)), pred.shape)
            err = np.abs(pred - ex)
            sl = err if pde.dim == 2 else err[:, :, n_test // 2]
            im = axs[k].imshow(np.log10(sl.T + 1e-300), origin="lower", aspect="auto",
                               extent=[*pde.domain[0], *pde.domain[1]])
            fig.colorbar(im, ax=axs[k])
            axs[k].set_title("log10 |error|")
            k += 1
    for j, spec in enumerate(solver.spectrum()):
        axs[k].stem(spec["frequencies"], spec["weights"], basefmt=" ")
        axs[k].set_yscale("log")
        axs[k].set_xlabel("frequency mu (cycles / unit)")
        axs[k].set_title(f"learned spectrum, axis {j}")
        k += 1
    fig.tight_layout()
    if filename is not None:
        fig.savefig(filename, dpi=110)
    return fig
