"""The solver's default settings: one rule from the PDE, the grid and the kernel, no per-case tables.

Each choice below was measured on the GP-HM benchmarks V1-V7 (``benchmarks/results/pde.txt``) and is applied by
:class:`~numkern.pde.GPHMSolver` whenever the argument is left at ``None``:

* ``jitter`` (relative to the prior variance k(0) of each axis): 1e-8 on 1-D grids that resolve the source's
  dominant frequency with fewer than 10 points per period, else 1e-6; on 2-D and 3-D grids 1e-6 for elliptic
  operators and 1e-7 for transport operators (a first-order axis). On V7 (200^2, data band) 1e-7 gives at the
  initial kernel 6.9e-5 against 3.5e-4 (Gaussian) and 9.1e-5 against 2.2e-4 (Student-t), 1e-8 (Student-t) 6.4e-5
  but a CG solve past 1000 iterations; a transport operator does not smooth the prior's jitter error the way an
  elliptic one does (1/w^2). On V5 (elliptic, 400^2) 1e-7 gives 9.5e-5 against 1.35e-4 at the initial kernel but
  505 CG iterations against 146, untested within the 10-minute fit: elliptic operators keep 1e-6 for now.
  In 1-D a small jitter lets the learned kernel interpolate sharply (V1 3.9e-6 -> 9.6e-8 against 1e-6; at 6 points
  per period, sin 10x on 60 points: 2.9e-7 against 1.9e-5); below about 1e-8 the profiled objective of the
  900-point V3 becomes too noisy for the line search. On an oversampled grid (sin 5x on 60 points, 12 points per
  period) the smooth kernel makes K too ill-conditioned at 1e-8 and the fit diverges (kept: the start, 3.4e-3),
  while 1e-6 reaches 4.9e-6. On 2-D and 3-D
  grids the prior is a product of d factors, so the jitter of the joint prior is the d-th power-ish of the
  per-axis one and its conditioning the product of theirs: 1e-6 per axis keeps the inner CG solves converging
  (the 2-D results were measured with it). The same for both envelopes.
* ``fix_amplitude``: True. With fixed taus the MAP objective keeps shrinking the prior's overall amplitude late in
  the fit, which shifts the balance from the PDE data to the prior; the error of the iterates then drifts up by
  10-100x while the objective falls (1-D), and the Gaussian V7 stalls. Fixing each axis's total weight removes
  that direction; measured better or equal on V1-V4 and V7, and V5 stays 0.6x the published error with it.
* ``boundary_residual``: False when every axis carries a second-order term (elliptic operators: Poisson,
  Helmholtz, Allen-Cahn), True otherwise (transport). On an elliptic problem the Dirichlet data determine the
  boundary, and PDE rows there only fight them (V5 at the initial kernel: 7.1e-4 without, 9.5e-3 with them, 200^2);
  a first-order (hyperbolic) operator with data on every edge is over-determined and the boundary rows help (V7:
  10x). In 1-D the two boundary nodes hardly matter either way; the rows are kept there (V1 2.0e-5 with them,
  3.3e-4 without, at the initial kernel).
* ``boundary_weight`` (lambda): 500 for first-order (transport) operators, 200 otherwise, the reference's values.
* ``max_frequency`` (the initial band linspace(0, F_j, Q) of each axis): twice the highest frequency that the PDE's
  data show along the axis (the source on the grid, and the Dirichlet data on the faces that span the axis; Kaiser
  window, power at least 1e-10 of each set's peak), at most a third of the sampling rate (3 points per period, the
  reference's choice, which was the default before). A band far wider than the data's puts most components on
  frequencies the solution does not have and makes the prior rough: on V7 (u_t + 200 u_x = 0, u = sin(x - 200 t),
  200^2) the data along x carry 1/2 pi cycles per unit, and the x band shrinks from 10.6 to 1.58: the solve at the
  initial kernel goes from 2.14e-3 to 3.50e-4 (Gaussian envelope; published 1.35e-3) and from 7.3e-3 to 2.17e-4
  (Student-t; published 1.43e-4). Along t (31.8 cycles) and on V1-V6 and V8 the data fill the band (V6's source has
  the harmonic 300 rad of cos^3 100 s), so their bands, and their results, are unchanged. Caveat: a solution
  frequency absent from both the source and the boundary data (a resonant homogeneous solution, e.g. of a
  Helmholtz operator with f = 0 inside and smooth g) is not seen by the rule; pass ``max_frequency`` then.
"""

from __future__ import annotations

import numpy as np

#: relative jitter per axis, by dimension
JITTER = {1: 1e-8, 2: 1e-6, 3: 1e-6}


def is_elliptic(pde) -> bool:
    """Every axis has a second-order term (the operator is not a transport operator in any direction)."""
    return all(m >= 2 for m in pde.max_orders)


def default_settings(pde, n_points, envelope) -> dict:
    """Settings for the arguments left at None: ``fix_amplitude``, ``boundary_residual``, ``boundary_weight`` (see
    the module docstring for the measurements behind each rule; the jitter's rule needs the grid's data:
    :func:`default_jitter`).

    ``n_points`` and ``envelope`` are part of the rule's signature: the measured optimum depends on the dimension
    only so far (the same values won on 400-900 points per axis and for both envelopes).
    """
    del n_points, envelope  # measured not to matter beyond the dimension (see the module docstring)
    elliptic = is_elliptic(pde)
    return {
        "fix_amplitude": True,
        "boundary_residual": pde.dim == 1 or not elliptic,
        "boundary_weight": 200.0 if all(m != 1 for m in pde.max_orders) else 500.0,
    }


#: 1-D grids with at least this many points per period of the source's dominant frequency count as oversampled
OVERSAMPLED = 10.0


#: relative jitter per axis of 2-D and 3-D transport (not elliptic) operators
JITTER_TRANSPORT = 1e-7


def default_jitter(source_grid, elliptic=True) -> float:
    """The jitter rule with the grid: on 2-D and 3-D grids 1e-6 for elliptic operators, ``JITTER_TRANSPORT`` for
    the others; in 1-D 1e-8, or 1e-6 when the grid has at least ``OVERSAMPLED`` points per period of the strongest
    frequency of the source (or the source is constant)."""
    f = np.asarray(source_grid, dtype=float)
    if f.ndim != 1:
        return JITTER[f.ndim] if elliptic else JITTER_TRANSPORT
    power = np.abs(np.fft.rfft(f - f.mean())) ** 2
    if power.size < 2 or not np.any(power[1:] > 0):
        return 1e-6
    cycles = int(np.argmax(power[1:])) + 1  # periods on the grid
    return JITTER[1] if f.size / cycles < OVERSAMPLED else 1e-6


#: the data-band rule: Kaiser window (sidelobes ~1e-5 in amplitude), power floor relative to the peak, margin
DATA_WINDOW_BETA = 14.0
DATA_POWER_FLOOR = 1e-10
DATA_BAND_MARGIN = 2.0


def data_top_frequency(lines, rate):
    """Highest frequency (cycles per unit length) of the columns of ``lines`` (shape (n, m): m samples of one axis
    with sampling rate ``rate``) whose Kaiser-windowed power, averaged over the columns, is at least
    ``DATA_POWER_FLOOR`` times the peak; None when the columns are constant (no frequency information)."""
    n = lines.shape[0]
    centred = lines - lines.mean(axis=0)
    if n < 2 or not np.any(centred):
        return None
    window = np.kaiser(n, DATA_WINDOW_BETA)[:, None]
    power = np.mean(np.abs(np.fft.rfft(window * centred, axis=0)) ** 2, axis=1)
    top = np.nonzero(power >= DATA_POWER_FLOOR * power.max())[0][-1]
    return top * rate / n


def default_max_frequency(source_grid, boundary_grid, rates):
    """Initial top frequency F_j per axis: ``DATA_BAND_MARGIN`` times the highest frequency the PDE's data show
    along axis j (the source on the grid, and the Dirichlet data on the faces that span axis j, each set measured
    against its own peak by :func:`data_top_frequency`), at most a third of the sampling rate (3 points per
    period); a third of the rate when the data along the axis are constant."""
    dim = source_grid.ndim
    tops = []
    for j, rate in enumerate(rates):
        sets = [np.moveaxis(source_grid, j, 0).reshape(source_grid.shape[j], -1)]
        faces = []
        for i in range(dim):
            if i == j:
                continue
            for end in (0, -1):
                face = np.take(boundary_grid, end, axis=i)  # the face x_i = end spans the other axes
                axis = j - (i < j)
                faces.append(np.moveaxis(face, axis, 0).reshape(face.shape[axis], -1))
        if faces:
            sets.append(np.hstack(faces))
        found = [f for f in (data_top_frequency(lines, rate) for lines in sets) if f is not None]
        top = DATA_BAND_MARGIN * max(found) if found and max(found) > 0 else np.inf
        tops.append(min(rate / 3.0, top))
    return tops


def default_cg_maxiter(preconditioner, dim, jitter=1e-6, nonlinear=False) -> int:
    """Iteration cap of the CG inner solve: with the collocation preconditioner in 2-D 1000 (it converges in
    100-300 iterations on the 2-D benchmarks at jitter 1e-6), 2000 at a smaller jitter (the prior's conditioning
    grows as 1 / jitter: V7 at 1e-7 needs 1245 (Gaussian) and 1629 (Student-t) from zero), 4000 for a nonlinear
    PDE (Gauss-Newton: the preconditioner carries only the mean of the pointwise weight, and V6's exact steps need
    800-3000; with the cap at 1000 every trial point of its fit was rejected and the learning never started, with
    4000 it took V6 from 6.8e-4 to 1.8e-4 in 315 s), 300 in 3-D; 3000 with Jacobi."""
    # 3-D: the collocation preconditioner converges in a few iterations at the initial kernel (3 at 32^3);
    # kernels that need hundreds are trial points the line search should leave quickly
    if preconditioner != "collocation":
        return 3000
    if dim == 3:
        return 300
    if nonlinear:
        return 4000
    return 1000 if jitter >= 1e-6 else 2000
