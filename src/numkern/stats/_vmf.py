"""The von Mises-Fisher distribution with scipy.stats.vonmises_fisher's interface, usable in very high dimension.

Differences from scipy (all supersets of its behaviour): the normaliser and the fit use the log-Bessel
functions of :mod:`numkern.special`, so they are finite and accurate for any dimension and concentration;
``rvs`` rotates Wood's samples with one Householder reflection (O(n d) time, O(d) extra memory) instead of a
d x d matrix; ``kappa = 0`` (the uniform distribution) is accepted; ``fit`` takes ``weights``.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp

from numkern._backend import any_dask
from numkern._validation import as_numpy_random, check_integer, check_n_threads

from .. import _stats as _kernels
from ._vmf_math import _inverse_mrl, _is_real, _log_normalizer, _log_normalizer_plus_kappa, _mean_resultant_length, _kappa_one_minus_mrl

__all__ = ["vonmises_fisher", "vonmises_fisher_gen", "vonmises_fisher_frozen"]

# Bytes per block of rows when a numpy pass streams over large arrays (bounds the temporaries of rvs and of
# the mixture's float32 -> float64 products).
_BLOCK_BYTES = 1 << 23
# Accepted deviation of a data row's norm from 1 (scipy's np.allclose(norm, 1): rtol 1e-5 + atol 1e-8).
_NORM_TOL = 1e-5 + 1e-8


def check_random_state(seed, name="random_state"):
    """Turn ``seed`` into a numpy random source the way scipy does (None: numpy's global RandomState).

    The accepted set and the errors are numkern's one rule (:mod:`numkern._validation`); a SeedSequence or an
    int of ``2**32`` or more, which scipy rejects, give a ``numpy.random.default_rng``.
    """
    return as_numpy_random(seed, name)


def _process_mu(mu) -> np.ndarray:
    if mu is None:
        raise ValueError("'mu' must be given: the mean direction, a one-dimensional unit vector.")
    mu_arr = np.asarray(mu)
    if not _is_real(mu_arr):
        raise TypeError(f"'mu' must be a real vector, got dtype {mu_arr.dtype}")
    mu_arr = mu_arr.astype(np.float64)
    if mu_arr.ndim != 1:
        raise ValueError(f"'mu' must have one-dimensional shape, got shape {mu_arr.shape}.")
    if mu_arr.size < 2:
        raise ValueError("'mu' must have at least two entries.")
    if not np.all(np.isfinite(mu_arr)):
        raise ValueError("'mu' contains NaN or infinite values.")
    with np.errstate(over="ignore"):
        norm = float(np.linalg.norm(mu_arr))
    if math.isinf(norm):  # finite entries whose squares overflow: far from a unit vector
        raise ValueError(f"'mu' must be a unit vector of norm 1, got norm {np.max(np.abs(mu_arr)):.3g} or more.")
    # scipy's rule: the norm must be 1 within np.allclose's default tolerance; then normalise exactly so that
    # the density integrates to 1 to rounding.
    if not np.isclose(norm, 1.0):
        raise ValueError(f"'mu' must be a unit vector of norm 1, got norm {norm!r}.")
    return mu_arr / norm


def _process_kappa(kappa) -> float:
    k = np.asarray(kappa)
    if k.ndim != 0:
        raise ValueError(f"'kappa' must be a real scalar >= 0, got {kappa!r}.")
    if not _is_real(k):
        raise TypeError(f"'kappa' must be a real scalar >= 0, got {kappa!r} of type {type(kappa).__name__}.")
    k = float(k)
    if math.isnan(k):
        raise ValueError("'kappa' is NaN; it must be a real scalar >= 0.")
    if k < 0:
        raise ValueError(f"'kappa' must be >= 0, got {k!r}.")
    if math.isinf(k):
        raise ValueError("'kappa' must be finite.")
    return k


def _process_parameters(mu, kappa):
    mu_arr = _process_mu(mu)
    return mu_arr.size, mu_arr, _process_kappa(kappa)


def _as_data(x, name: str = "x") -> np.ndarray:
    """Float data array (float32 stays float32, other reals become float64)."""
    arr = np.asarray(x)
    if not _is_real(arr):
        raise TypeError(f"'{name}' must be a real array, got dtype {arr.dtype}")
    if arr.dtype not in (np.float32, np.float64):
        arr = arr.astype(np.float64)
    return arr


def _block_rows(n_cols: int) -> int:
    return max(1, _BLOCK_BYTES // (8 * max(1, n_cols)))



def _mixture_log_prob(X, means, kappas, log_weights):
    """log pi_k + log C_d(kappa_k) + kappa_k mu_k^T x_i, shape (n, K), accumulated in float64: the E-step of
    VonMisesFisherMixture, in memory and on every dask block (here, not in the estimator's module, so that dask
    workers need not import scikit-learn). X: unit rows, dense or scipy.sparse."""
    d = X.shape[1]
    log_c = _log_normalizer(np.float64(d), kappas)
    scaled = (kappas[:, None] * means).T  # (d, K)
    out = np.empty((X.shape[0], means.shape[0]))
    if sp.issparse(X):  # scipy.sparse @ dense, accumulated in float64 for float32 data too
        out[...] = X @ scaled
    elif X.dtype == np.float64:
        np.matmul(X, scaled, out=out)
    else:
        step = _block_rows(d)
        for start in range(0, X.shape[0], step):
            out[start : start + step] = X[start : start + step].astype(np.float64) @ scaled
    out += log_c + log_weights
    return out

def _contiguous_2d(x2d: np.ndarray) -> np.ndarray:
    # The C++ passes read rows of a C-contiguous float32/float64 array (a copy only for strided input).
    return np.ascontiguousarray(x2d)




def _check_on_sphere(sq_norms: np.ndarray, name: str, shape) -> None:
    if not np.all(np.isfinite(sq_norms)):
        raise ValueError(
            f"'{name}' contains NaN or infinite values (or entries so large that a squared norm overflows); it "
            "must hold unit vectors."
        )
    bad = np.abs(np.sqrt(sq_norms) - 1.0) > _NORM_TOL
    if np.any(bad):
        first = int(np.flatnonzero(bad)[0])
        if len(shape) > 1:
            where = f"{name}[{', '.join(str(int(i)) for i in np.unravel_index(first, shape[:-1]))}]"
        else:
            where = name
        raise ValueError(
            f"'{name}' must be unit vectors of norm 1 along the last axis (tolerance {_NORM_TOL:.1e}); "
            f"{int(bad.sum())} of {bad.size} are not, e.g. {where} has norm {math.sqrt(sq_norms[first])!r}."
        )


def _resultant(x2d: np.ndarray, weights: np.ndarray | None, n_threads: int):
    """Mean direction, mean resultant length r and 1 - r (without cancellation) of unit rows; checks the rows."""
    x2d = _contiguous_2d(x2d)
    total, sq_norms = _kernels.weighted_column_sum(x2d, weights, n_threads)
    _check_on_sphere(sq_norms, "x", x2d.shape)
    total_w = float(x2d.shape[0] if weights is None else weights.sum())
    mean = total / total_w
    r = float(np.linalg.norm(mean))
    if r == 0.0:
        raise ValueError("the resultant of 'x' is zero, so its mean direction is undefined.")
    if r > 0.99:
        # 1 - r^2 = mean ||x_i - m||^2 + mean (1 - ||x_i||^2): exact for unit rows, no cancellation as r -> 1
        # (1 - r formed from r loses -log10(1 - r) digits: worth a second pass over x once that exceeds 2).
        one_minus_norms = 1.0 - sq_norms
        mean_dev = _kernels.weighted_sq_deviation(x2d, mean, weights, n_threads) / total_w
        mean_norm_def = float(one_minus_norms.mean() if weights is None else weights @ one_minus_norms / total_w)
        one_minus_r2 = mean_dev + mean_norm_def
        one_minus_r = one_minus_r2 / (1.0 + r) if one_minus_r2 > 0 else 1.0 - r
    else:
        one_minus_r = 1.0 - r
    return mean / r, min(r, 1.0), one_minus_r


def _process_weights(weights, n: int, name: str = "weights") -> np.ndarray | None:
    if weights is None:
        return None
    w = np.asarray(weights)
    if not _is_real(w):
        raise TypeError(f"'{name}' must be a real array, got dtype {w.dtype}")
    w = w.astype(np.float64)
    if w.shape != (n,):
        raise ValueError(f"'{name}' must have shape ({n},) to match the rows of the data, got {w.shape}.")
    if not np.all(np.isfinite(w)):
        raise ValueError(f"'{name}' contains NaN or infinite values.")
    if np.any(w < 0):
        raise ValueError(f"'{name}' must be non-negative.")
    if not w.sum() > 0:
        raise ValueError(f"'{name}' must not all be zero (their sum must be positive).")
    return w


def _householder_vector(mu: np.ndarray) -> np.ndarray | None:
    """v with (I - 2 v v^T / v^T v) e_1 = mu, or None when mu == e_1 (identity).

    v = e_1 - mu; its first entry 1 - mu_1 is computed as sum_{i>1} mu_i^2 / (1 + mu_1) when mu_1 > 0 to avoid
    cancellation (Golub & Van Loan, Matrix Computations, 5.1.3).
    """
    v = -mu.copy()
    if mu[0] > 0:
        tail = float(mu[1:] @ mu[1:])
        v[0] = tail / (1.0 + mu[0])
    else:
        v[0] = 1.0 - mu[0]
    if not np.any(v):
        return None
    return v


def _wood_cosines(dim: int, kappa: float, n: int, rng):
    """n draws of w = mu^T x (and 1 - w, 1 + w without cancellation) by Wood's rejection sampler.

    Wood (1994), with m = d - 1: b = (d-1) / (2 kappa + sqrt(4 kappa^2 + (d-1)^2)) (the root of Wood's quadratic
    written without cancellation), x0 = (1 - b)/(1 + b), c = kappa x0 + (d-1) log(1 - x0^2). Propose
    Z ~ Beta((d-1)/2, (d-1)/2), W = (1 - (1+b) Z) / (1 - (1-b) Z), accept when
    kappa W + (d-1) log(1 - x0 W) - c >= log U. With g = 1 - x0 = 2b/(1+b) and e = 1 - W = 2 b Z / (1 - (1-b) Z)
    the test reads kappa (g - e) + (d-1) [log(g + (1-g) e) - log g - log(2 - g)] >= log U, and every quantity is
    formed without subtracting nearly equal numbers, so it stays exact for kappa up to 1e8 and d up to 1e6.
    """
    m1 = dim - 1.0
    den = 2.0 * kappa + math.hypot(2.0 * kappa, m1)
    if math.isinf(den):
        # kappa > ~4.5e307: the denominator overflows and b would be 0 (then log g = log 0). Dividing through by
        # 2 kappa first keeps b = s / (1 + sqrt(1 + s^2)), s = (d-1) / (2 kappa), positive (subnormal at worst).
        s = 0.5 * m1 / kappa
        b = s / (1.0 + math.hypot(1.0, s))
    else:
        b = m1 / den
    g = 2.0 * b / (1.0 + b)
    log_norm = math.log(g) + math.log(2.0 - g)
    half = 0.5 * m1
    uniform = rng.random_sample if isinstance(rng, np.random.RandomState) else rng.random
    one_minus_w = np.empty(n)
    one_plus_w = np.empty(n)
    filled = 0
    while filled < n:
        need = n - filled
        batch = need + need // 4 + 8  # Wood's envelope accepts >= ~70 %: usually one or two rounds
        z = rng.beta(half, half, size=batch)
        den = 1.0 - (1.0 - b) * z
        e = 2.0 * b * z / den
        crit = kappa * (g - e) + m1 * (np.log(g + (1.0 - g) * e) - log_norm)
        with np.errstate(divide="ignore"):
            accept = crit >= np.log(uniform(batch))
        idx = np.flatnonzero(accept)[:need]
        one_minus_w[filled : filled + idx.size] = e[idx]
        one_plus_w[filled : filled + idx.size] = 2.0 * (1.0 - z[idx]) / den[idx]
        filled += idx.size
    return one_minus_w, one_plus_w


def _sample_shape(size) -> tuple:
    """``size`` (None, an integer or a sequence of integers, as for numpy's generators) as a shape tuple.

    bool, floats (even integral ones), strings and other non-integers raise TypeError, negative entries ValueError.
    """
    if size is None:
        return ()
    if isinstance(size, (str, bytes)) or not np.iterable(size):
        return (check_integer(size, "'size'", min_value=0),)
    if isinstance(size, np.ndarray) and size.ndim != 1:
        raise ValueError(f"'size' must be an integer or a one-dimensional sequence of integers, got {size!r}.")
    return tuple(check_integer(s, "'size'", min_value=0) for s in size)


def _rvs(dim: int, mu: np.ndarray, kappa: float, size, rng) -> np.ndarray:
    shape = _sample_shape(size)
    n = math.prod(shape)
    one_minus_w, one_plus_w = _wood_cosines(dim, kappa, n, rng)
    # w and the length of the tangent part, sqrt(1 - w^2) = sqrt((1 - w)(1 + w)).
    w = 1.0 - one_minus_w
    tangent_len = np.sqrt(one_minus_w * one_plus_w)
    samples = np.empty((n, dim))
    v = _householder_vector(mu)
    step = _block_rows(dim)
    for start in range(0, n, step):
        stop = min(n, start + step)
        block = samples[start:stop]
        # Uniform direction in the tangent space of e_1: normalised Gaussian in columns 1..d-1 (column 0 is
        # drawn too, to fill the contiguous block in place, and then overwritten by w).
        if isinstance(rng, np.random.Generator):
            rng.standard_normal(out=block)
        else:
            block[...] = rng.standard_normal(block.shape)
        tangent = block[:, 1:]
        tangent *= (tangent_len[start:stop] / np.sqrt(np.einsum("ij,ij->i", tangent, tangent)))[:, None]
        block[:, 0] = w[start:stop]
        if v is not None:
            # Householder reflection H = I - 2 v v^T / v^T v maps e_1 to mu: O(d) per sample, no d x d matrix.
            _kernels.reflect_rows(block, v, 0)
    return samples.reshape(shape + (dim,))


def _logpdf(x, dim: int, mu: np.ndarray, kappa: float, n_threads=None):
    threads = check_n_threads(n_threads)
    arr = _as_data(x)
    if arr.ndim == 0 or arr.shape[-1] != dim:
        got = "a scalar" if arr.ndim == 0 else f"{arr.shape[-1]}"
        raise ValueError(
            f"The last axis of 'x' must have length {dim} (the dimension of the distribution), got {got}."
        )
    sq_dist, sq_norms = _kernels.row_sq_distance(_contiguous_2d(arr.reshape(-1, dim)), mu, threads)
    _check_on_sphere(sq_norms, "x", arr.shape)
    # log C + kappa mu^T x = (log C + kappa) + kappa (mu^T x - 1): both parts without cancellation. log C alone is
    # about -kappa, so the direct sum loses every digit once kappa >= 1e16. For |mu| = 1,
    # mu^T x - 1 = -(|x - mu|^2 - (|x|^2 - 1)) / 2 exactly, which is exact at the mode (x = mu) and accurate near it,
    # where the dot product minus 1 would leave only an absolute eps (times kappa).
    log_c_plus_kappa = float(_log_normalizer_plus_kappa(np.float64(dim), np.float64(kappa)))
    cos_minus_one = -0.5 * (sq_dist - (sq_norms - 1.0))
    out = (log_c_plus_kappa + kappa * cos_minus_one).reshape(arr.shape[:-1])
    return out[()] if out.ndim == 0 else out


def _entropy(dim: int, kappa: float) -> float:
    # -log C - kappa A = -(log C + kappa) + kappa (1 - A): both parts without cancellation (1 - A ~ (d - 1)/2kappa
    # is computed with full relative precision, see _kappa_one_minus_mrl).
    d = np.float64(dim)
    k = np.float64(kappa)
    return float(-_log_normalizer_plus_kappa(d, k) + _kappa_one_minus_mrl(d, k))


def _check_fit_shape(shape) -> None:
    """fit's data shape: (n_samples >= 1, dim >= 2)."""
    if len(shape) != 2:
        raise ValueError(f"'x' must be two dimensional (n_samples, dim), got shape {shape}.")
    if shape[0] == 0:
        raise ValueError("'x' has no rows.")
    if shape[1] < 2:
        raise ValueError("'x' must have at least two columns (points on the sphere S^{d-1}, d >= 2).")


def _fit(x, weights=None, n_threads=None):
    threads = check_n_threads(n_threads)
    arr = _as_data(x)
    _check_fit_shape(arr.shape)
    w = _process_weights(weights, arr.shape[0])
    mu, r, one_minus_r = _resultant(arr, w, threads)
    kappa = float(_inverse_mrl(np.float64(arr.shape[1]), np.float64(r), np.float64(one_minus_r)))
    return mu, kappa


class vonmises_fisher_gen:
    r"""A von Mises-Fisher variable on the unit sphere :math:`S^{d-1}`: a drop-in for ``scipy.stats.vonmises_fisher``.

    The density of a unit vector :math:`x` is

    .. math::

        f(x) = C_d(\kappa) \exp(\kappa\,\mu^T x), \quad
        C_d(\kappa) = \frac{\kappa^{d/2-1}}{(2\pi)^{d/2} I_{d/2-1}(\kappa)}.

    Same methods and signatures as scipy (``pdf``, ``logpdf``, ``rvs``, ``entropy``, ``fit`` and the frozen
    form ``vonmises_fisher(mu, kappa)``), but finite and accurate in any dimension: the normaliser uses
    :func:`numkern.special.log_ive`, the fit solves :math:`A_d(\kappa) = \bar r` with
    :func:`numkern.special.iv_ratio` to full precision, and ``rvs`` uses Wood's rejection sampler rotated by a
    Householder reflection (O(n d)). Extensions: ``kappa = 0`` (uniform) is allowed and ``fit`` takes
    ``weights``. float32 data is accepted and accumulated in float64.

    Parameters
    ----------
    seed : {None, int, numpy.random.SeedSequence, numpy.random.Generator, numpy.random.RandomState}, optional
        Default random state for :meth:`rvs` (None: numpy's global ``RandomState``; int: a new seeded
        ``RandomState``), as in scipy; the accepted values are numkern's one rule (see :ref:`random-state`).

    See Also
    --------
    log_normalizer, mean_resultant_length, inverse_mean_resultant_length, VonMisesFisherMixture

    References
    ----------
    .. [1] A. T. A. Wood, "Simulation of the von Mises Fisher distribution", Communications in Statistics -
           Simulation and Computation 23 (1994), 157-164.
    .. [2] A. Banerjee, I. S. Dhillon, J. Ghosh, S. Sra, "Clustering on the unit hypersphere using von
           Mises-Fisher distributions", JMLR 6 (2005), 1345-1382.

    Examples
    --------
    >>> import numpy as np
    >>> from numkern.stats import vonmises_fisher
    >>> mu = np.zeros(2048); mu[0] = 1.0
    >>> x = vonmises_fisher(mu, 3000.0).rvs(500, random_state=0)
    >>> mu_hat, kappa_hat = vonmises_fisher.fit(x)   # scipy returns kappa = 1e-8 here
    >>> bool(mu_hat @ mu > 0.99), bool(abs(kappa_hat / 3000 - 1) < 0.05)
    (True, True)
    """

    def __init__(self, seed=None):
        self._random_state = check_random_state(seed, "seed")

    @property
    def random_state(self):
        """The default random generator used by :meth:`rvs`."""
        return self._random_state

    @random_state.setter
    def random_state(self, seed):
        self._random_state = check_random_state(seed)

    def _get_random_state(self, random_state):
        return self._random_state if random_state is None else check_random_state(random_state)

    def __call__(self, mu=None, kappa=1, seed=None):
        """Create a frozen von Mises-Fisher distribution (see `vonmises_fisher_frozen`)."""
        return vonmises_fisher_frozen(mu, kappa, seed=seed)

    def logpdf(self, x, mu=None, kappa=1, *, n_threads=None):
        """Log of the probability density function.

        Parameters
        ----------
        x : array_like
            Points at which to evaluate; the last axis holds unit vectors of the distribution's dimension.
        mu : array_like
            Mean direction, a one-dimensional unit vector (norm 1 within ``np.isclose``'s tolerance).
        kappa : float, default: 1
            Concentration, ``>= 0``.
        n_threads : int, optional
            OpenMP threads for the pass over ``x`` (default: OpenMP's setting). Results do not depend on it.

        Returns
        -------
        logpdf : ndarray or scalar
            Log density at ``x`` (shape ``x.shape[:-1]``, float64).

        Examples
        --------
        >>> import numpy as np
        >>> from numkern.stats import vonmises_fisher
        >>> bool(vonmises_fisher.logpdf([0.0, 0.0, 1.0], mu=[0.0, 0.0, 1.0], kappa=0.0) == -np.log(4 * np.pi))
        True
        """
        dim, mu_arr, k = _process_parameters(mu, kappa)
        return _logpdf(x, dim, mu_arr, k, n_threads)

    def pdf(self, x, mu=None, kappa=1, *, n_threads=None):
        """Probability density function.

        Parameters
        ----------
        x : array_like
            Points at which to evaluate; the last axis holds unit vectors of the distribution's dimension.
        mu : array_like
            Mean direction, a one-dimensional unit vector.
        kappa : float, default: 1
            Concentration, ``>= 0``.
        n_threads : int, optional
            OpenMP threads for the pass over ``x``.

        Returns
        -------
        pdf : ndarray or scalar
            Density at ``x``.

        Examples
        --------
        >>> from numkern.stats import vonmises_fisher
        >>> round(float(vonmises_fisher.pdf([1.0, 0.0], mu=[1.0, 0.0], kappa=1.0)), 6)  # e / (2 pi I_0(1))
        0.34171
        """
        return np.exp(self.logpdf(x, mu, kappa, n_threads=n_threads))

    def rvs(self, mu=None, kappa=1, size=1, random_state=None):
        """Draw random samples (Wood's rejection sampler, Householder rotation).

        Parameters
        ----------
        mu : array_like
            Mean direction, a one-dimensional unit vector.
        kappa : float, default: 1
            Concentration, ``>= 0``.
        size : int or tuple of ints or None, default: 1
            Sample shape; the result has shape ``size + (dim,)`` (``None``: a single vector of shape ``(dim,)``).
        random_state : {None, int, numpy.random.SeedSequence, numpy.random.Generator, numpy.random.RandomState}, optional
            Random source; None uses the distribution's own (see ``seed``). Results are reproducible for a
            given seed (see :ref:`random-state`).

        Returns
        -------
        rvs : ndarray
            Unit vectors, float64.

        Examples
        --------
        >>> import numpy as np
        >>> from numkern.stats import vonmises_fisher
        >>> x = vonmises_fisher.rvs([0.0, 1.0, 0.0], 50.0, size=4, random_state=1)
        >>> x.shape, bool(np.allclose(np.linalg.norm(x, axis=1), 1))
        ((4, 3), True)
        """
        dim, mu_arr, k = _process_parameters(mu, kappa)
        return _rvs(dim, mu_arr, k, size, self._get_random_state(random_state))

    def entropy(self, mu=None, kappa=1):
        """Differential entropy, ``-log C_d(kappa) - kappa A_d(kappa)``.

        Parameters
        ----------
        mu : array_like
            Mean direction, a one-dimensional unit vector (only its length matters).
        kappa : float, default: 1
            Concentration, ``>= 0``.

        Returns
        -------
        h : float
            Entropy in nats.

        Examples
        --------
        >>> import numpy as np
        >>> from numkern.stats import vonmises_fisher
        >>> bool(np.isclose(vonmises_fisher.entropy([1.0, 0.0, 0.0], 0.0), np.log(4 * np.pi)))
        True
        """
        dim, _, k = _process_parameters(mu, kappa)
        return _entropy(dim, k)

    def fit(self, x, weights=None, *, n_threads=None):
        r"""Maximum likelihood fit to unit vectors: returns ``(mu, kappa)``.

        ``mu`` is the (weighted) mean direction; ``kappa`` solves :math:`A_d(\kappa) = \bar r` to full
        precision (see :func:`inverse_mean_resultant_length`), with :math:`1 - \bar r` computed from the
        data without cancellation (:math:`1 - \bar r^2 = \overline{\|x_i - m\|^2}` for unit rows), so it is
        accurate even when the data are very concentrated. scipy's ``fit`` returns ``kappa = 1e-8`` for every
        ``d >= 67`` because ``ive`` underflows; this one does not.

        Parameters
        ----------
        x : array_like, shape (n_samples, dim)
            Unit vectors (rows of norm 1 within ``1e-5``); float32 is used without a float64 copy.
        weights : array_like, shape (n_samples,), optional
            Non-negative sample weights (e.g. responsibilities); default equal weights.
        n_threads : int, optional
            OpenMP threads for the passes over ``x`` (default: OpenMP's setting). Results do not depend on it.

        Returns
        -------
        mu : ndarray, shape (dim,)
            Estimated mean direction (float64).
        kappa : float
            Estimated concentration (``inf`` if all points coincide).

        Examples
        --------
        >>> import numpy as np
        >>> from numkern.stats import vonmises_fisher
        >>> x = vonmises_fisher([0.0, 0.0, 1.0], 20.0).rvs(2000, random_state=3)
        >>> mu, kappa = vonmises_fisher.fit(x)
        >>> bool(abs(kappa - 20) < 2), bool(mu[2] > 0.99)
        (True, True)
        """
        if any_dask(x, weights):  # one distributed pass over the row blocks (numkern.stats._vmf_dask)
            from ._vmf_dask import fit as dask_fit
            return dask_fit(x, weights, n_threads)
        return _fit(x, weights, n_threads)


class vonmises_fisher_frozen:
    """A von Mises-Fisher distribution with fixed ``mu`` and ``kappa`` (as returned by ``vonmises_fisher(mu, kappa)``).

    Parameters
    ----------
    mu : array_like
        Mean direction, a one-dimensional unit vector of norm 1.
    kappa : float, default: 1
        Concentration, ``>= 0``.
    seed : {None, int, numpy.random.SeedSequence, numpy.random.Generator, numpy.random.RandomState}, optional
        Default random state for :meth:`rvs` (see :ref:`random-state`).

    Attributes
    ----------
    dim : int
        Dimension ``d`` of the ambient space.
    mu : ndarray
        Mean direction (normalised to unit norm).
    kappa : float
        Concentration.

    Examples
    --------
    >>> import numpy as np
    >>> from numkern.stats import vonmises_fisher
    >>> dist = vonmises_fisher([1.0, 0.0, 0.0, 0.0], 10.0)
    >>> x = dist.rvs(3, random_state=0)
    >>> dist.logpdf(x).shape
    (3,)
    """

    def __init__(self, mu=None, kappa=1, seed=None):
        self._dist = vonmises_fisher_gen(seed)
        self.dim, self.mu, self.kappa = _process_parameters(mu, kappa)

    @property
    def random_state(self):
        """The default random generator used by :meth:`rvs`."""
        return self._dist.random_state

    @random_state.setter
    def random_state(self, seed):
        self._dist.random_state = seed

    def logpdf(self, x, *, n_threads=None):
        """Log of the probability density function at unit vectors ``x`` (last axis of length ``dim``).

        Parameters
        ----------
        x : array_like
            Points; the last axis holds unit vectors.
        n_threads : int, optional
            OpenMP threads for the pass over ``x``.

        Returns
        -------
        logpdf : ndarray or scalar
            Log density at ``x``.
        """
        return _logpdf(x, self.dim, self.mu, self.kappa, n_threads)

    def pdf(self, x, *, n_threads=None):
        """Probability density function at unit vectors ``x``.

        Parameters
        ----------
        x : array_like
            Points; the last axis holds unit vectors.
        n_threads : int, optional
            OpenMP threads for the pass over ``x``.

        Returns
        -------
        pdf : ndarray or scalar
            Density at ``x``.
        """
        return np.exp(self.logpdf(x, n_threads=n_threads))

    def rvs(self, size=1, random_state=None):
        """Draw random unit vectors.

        Parameters
        ----------
        size : int or tuple of ints or None, default: 1
            Sample shape; the result has shape ``size + (dim,)``.
        random_state : {None, int, numpy.random.SeedSequence, numpy.random.Generator, numpy.random.RandomState}, optional
            Random source; None uses the distribution's ``seed`` (see :ref:`random-state`).

        Returns
        -------
        rvs : ndarray
            Samples, float64.
        """
        return _rvs(self.dim, self.mu, self.kappa, size, self._dist._get_random_state(random_state))

    def entropy(self):
        """Differential entropy in nats.

        Returns
        -------
        h : float
            ``-log C_d(kappa) - kappa A_d(kappa)``.
        """
        return _entropy(self.dim, self.kappa)

    def mean_resultant_length(self):
        """Expected cosine ``E[mu^T x] = A_d(kappa)``.

        Returns
        -------
        float
            ``A_d(kappa)`` in ``[0, 1)``.
        """
        return float(_mean_resultant_length(np.float64(self.dim), np.float64(self.kappa)))


vonmises_fisher = vonmises_fisher_gen()
