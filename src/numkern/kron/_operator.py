"""Kronecker-product operators, per-axis products and the factorised (Cholesky / eigen) views."""

from __future__ import annotations

import math
import numbers
import os
import warnings

import numpy as np

from numkern._validation import as_numeric_array, check_allocation, check_integer, check_n_threads, check_real
import scipy.linalg as sla
from scipy.sparse.linalg import LinearOperator

from .. import _kron
from .._backend import is_cupy_array

__all__ = [
    "KroneckerOperator",
    "KroneckerCholesky",
    "KroneckerEigh",
    "apply_along",
    "kron_matmul",
]

_METHODS = ("auto", "blas", "blocked", "numpy")
_ENGINES = {"blas": _kron.Engine.blas, "blocked": _kron.Engine.blocked}


def _register_blas():
    from scipy.linalg import cython_blas

    capi = cython_blas.__pyx_capi__
    _kron.set_blas(capi["dgemm"], capi["sgemm"])


_register_blas()

# Default GEMM engine for the C++ rotation driver, chosen from benchmarks/bench_kron.py on this machine:
# "blas" (numkern's driver calling scipy's OpenBLAS dgemm once per axis) beats numkern's own cache-blocked
# kernel ("blocked", plain C++ without architecture-specific SIMD) and the pure-numpy rotation ("numpy");
# see the benchmark for the numbers. NUMKERN_KRON_METHOD overrides it.
_DEFAULT_METHOD = os.environ.get("NUMKERN_KRON_METHOD", "blas")


def _resolve_method(method):
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}")
    if method == "auto":
        method = _DEFAULT_METHOD if _DEFAULT_METHOD in _METHODS[1:] else "blas"
    return method




def _check_factor(j, f, dtype=None):
    arr = np.asarray(f)
    if arr.dtype.kind == "c":
        raise TypeError(f"factor {j} is complex; KroneckerOperator supports real float32/float64 factors")
    if arr.dtype.kind not in "fiub":
        raise TypeError(f"factor {j} has unsupported dtype {arr.dtype}")
    if arr.ndim != 2:
        raise ValueError(f"factor {j} must be a 2-D array, got shape {arr.shape}")
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"factor {j} is empty (shape {arr.shape})")
    if dtype is not None:
        arr = arr.astype(dtype, copy=False)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"factor {j} contains NaN or inf")
    return np.ascontiguousarray(arr)


def _sequence_of_arrays(value, name="factors"):
    """``value`` (a list, tuple, iterator or stacked array of factors/grids) as a non-empty list.

    None, strings, numbers and other non-iterables raise TypeError naming ``name`` (instead of Python's
    "'NoneType' object is not iterable"); an empty sequence raises ValueError.
    """
    if value is None or isinstance(value, (str, bytes, numbers.Number)):
        raise TypeError(f"{name} must be a sequence of arrays, got {value!r:.80} of type {type(value).__name__}")
    try:
        items = list(value)
    except TypeError:  # not iterable, or a 0-d array
        raise TypeError(f"{name} must be a sequence of arrays, got {value!r:.80} of type "
                        f"{type(value).__name__}") from None
    if not items:
        raise ValueError(f"{name} must contain at least one array, got an empty sequence")
    return items


def _operand(x, name="x"):
    """A product's right-hand side: a numeric array (TypeError naming ``name`` for strings, None, ...).

    CuPy arrays, LinearOperators and Python/NumPy scalars (scipy's scaling) pass through unchanged.
    """
    if is_cupy_array(x) or isinstance(x, LinearOperator):
        return x
    if isinstance(x, numbers.Number) and not isinstance(x, bool):
        return x
    return as_numeric_array(x, name, allow_bool=True)


def _split_complex(fn, mat):
    """fn(mat) for real mat; fn(Re) + i fn(Im) for complex mat (fn linear, real arithmetic only)."""
    if np.iscomplexobj(mat):
        return fn(mat.real) + 1j * fn(mat.imag)
    return fn(mat)


def kron_matmul(factors, x):
    """``(⊗ factors) @ x`` without forming the Kronecker product, in NumPy only.

    The rotation algorithm of :class:`KroneckerOperator` (one ``matmul`` per factor), which is its
    ``method="numpy"``; the reference the C++ engines are tested against.

    Parameters
    ----------
    factors : sequence of 2-D arrays
    x : ndarray, shape (N,) or (N, B)

    Returns
    -------
    ndarray, shape (M,) or (M, B)

    Examples
    --------
    >>> import numpy as np
    >>> from numkern.kron import kron_matmul
    >>> a, b = np.eye(2), np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> kron_matmul([a, b], np.ones(4)).tolist()
    [3.0, 7.0, 3.0, 7.0]
    """
    factors = _sequence_of_arrays(factors)
    factors = [as_numeric_array(f, f"factors[{j}]", allow_bool=True) for j, f in enumerate(factors)]
    for j, f in enumerate(factors):
        if f.ndim != 2 or 0 in f.shape:
            raise ValueError(f"factors[{j}] must be a non-empty 2-D array, got shape {f.shape}")
    x = as_numeric_array(x, "x", allow_bool=True)
    if x.ndim not in (1, 2):
        raise ValueError(f"x must be a 1-D vector or a 2-D (N, B) matrix, got shape {x.shape}")
    n_in = math.prod(f.shape[1] for f in factors)
    if x.shape[0] != n_in:
        raise ValueError(f"x has {x.shape[0]} rows; the product of the factors' column counts is {n_in}")
    vec = x.ndim == 1
    batch = 1 if vec else x.shape[1]
    if batch == 0:  # no columns: nothing to rotate (reshape(n, -1) of an empty array is ambiguous)
        n_out = math.prod(f.shape[0] for f in factors)
        return np.zeros((n_out, 0), dtype=np.result_type(x, *factors))
    cur = x.reshape(-1)
    for f in factors:
        n = f.shape[1]
        cur = (cur.reshape(n, -1).T @ f.T).reshape(-1)  # (rest, m): axis rotated to the back
    out = cur.reshape(batch, -1)
    return out[0] if vec else out.T


def kron_matmat_numpy(factors, x):
    """Deprecated alias of :func:`kron_matmul` (the old name said how, not what)."""
    warnings.warn("numkern.kron.kron_matmat_numpy is deprecated; use numkern.kron.kron_matmul",
                  DeprecationWarning, stacklevel=2)
    return kron_matmul(factors, x)


def apply_along(axis, M, X, *, n_threads=None, method="auto"):
    """Multiply ``X`` by the matrix ``M`` along one axis: ``Y[..., i, ...] = sum_k M[i, k] X[..., k, ...]``.

    This is ``np.moveaxis(np.tensordot(M, X, axes=(1, axis)), 0, axis)`` computed by one GEMM (or one GEMM per
    leading slice) in C++ without moving axes.

    Parameters
    ----------
    axis : int
        Axis of ``X`` to multiply (negative values count from the end).
    M : array_like, shape (m, n)
        Matrix; ``n`` must equal ``X.shape[axis]``.
    X : array_like
        Array of any dimension >= 1.
    n_threads : int, optional
        Threads; as for :class:`KroneckerOperator`.
    method : {"auto", "blas", "blocked", "numpy"}, optional
        GEMM engine; see :class:`KroneckerOperator`.

    Returns
    -------
    Y : ndarray
        ``X.shape`` with ``X.shape[axis]`` replaced by ``m``.

    Examples
    --------
    >>> import numpy as np
    >>> from numkern.kron import apply_along
    >>> X = np.arange(6.0).reshape(2, 3)
    >>> D = np.array([[1.0, -1.0]])           # difference along axis 0
    >>> apply_along(0, D, X).tolist()
    [[-3.0, -3.0, -3.0]]
    """
    method = _resolve_method(method)
    nt = check_n_threads(n_threads)
    if n_threads is None and method == "blas":
        nt = 1  # as in KroneckerOperator: BLAS's own threading
    if is_cupy_array(X):
        from ._cuda import apply_along_cupy

        if X.ndim == 0 or not -X.ndim <= axis < X.ndim:
            raise ValueError(f"axis {axis!r} is out of range for X with {X.ndim} dimensions")
        if np.shape(M)[1] != X.shape[axis]:
            raise ValueError(f"M has {np.shape(M)[1]} columns but X.shape[{axis}] = {X.shape[axis]}")
        return apply_along_cupy(int(axis) % X.ndim, M, X)
    X = as_numeric_array(X, "X", allow_bool=True)
    axis = check_integer(axis, "axis")
    if X.ndim == 0:
        raise ValueError("X must have at least one dimension")
    if not -X.ndim <= axis < X.ndim:
        raise ValueError(f"axis {axis!r} is out of range for X with {X.ndim} dimensions")
    axis = int(axis) % X.ndim
    M = as_numeric_array(M, "M", allow_bool=True)
    if M.ndim != 2:
        raise ValueError(f"M must be 2-D, got shape {M.shape}")
    if M.shape[1] != X.shape[axis]:
        raise ValueError(f"M has {M.shape[1]} columns but X.shape[{axis}] = {X.shape[axis]}")
    if np.iscomplexobj(M) or np.iscomplexobj(X):
        if np.iscomplexobj(M):
            return np.moveaxis(np.tensordot(M, X, axes=(1, axis)), 0, axis)
        re = apply_along(axis, M, X.real, n_threads=n_threads, method=method)
        return re + 1j * apply_along(axis, M, X.imag, n_threads=n_threads, method=method)
    dtype = np.result_type(M.dtype, X.dtype, np.float32)
    if dtype not in (np.float32, np.float64):
        dtype = np.dtype(np.float64)
    a = math.prod(X.shape[:axis])
    b = math.prod(X.shape[axis + 1 :])
    out_shape = X.shape[:axis] + (M.shape[0],) + X.shape[axis + 1 :]
    if method == "numpy":
        return np.moveaxis(np.tensordot(M.astype(dtype), X.astype(dtype), axes=(1, axis)), 0, axis)
    x3 = np.ascontiguousarray(X, dtype=dtype).reshape(a, X.shape[axis], b)
    y3 = _kron.apply_along(np.ascontiguousarray(M, dtype=dtype), x3, nt, _ENGINES[method])
    return y3.reshape(out_shape)


class _GridShapes:
    """Conversion between flat vectors (N,), batches (N, B) and grid tensors (n_1, ..., n_d[, B])."""

    def __init__(self, grid_shape):
        self.grid_shape = tuple(int(n) for n in grid_shape)
        self.size = math.prod(self.grid_shape)

    def to_matrix(self, y, name="y"):
        """Return (Y of shape (N, B), restore) where restore maps an (N', B) result back to y's layout."""
        y = as_numeric_array(y, name, allow_bool=True)
        d = len(self.grid_shape)
        if y.ndim >= d and y.shape[:d] == self.grid_shape and y.ndim <= d + 1 and d > 1:
            batch = y.shape[d:]
            mat = y.reshape(self.size, -1)

            def restore(res, out_grid):
                return res.reshape(tuple(out_grid) + batch)

            return mat, restore
        if y.ndim == 1 and y.shape[0] == self.size:
            return y.reshape(self.size, 1), lambda res, out_grid: res.reshape(-1)
        if y.ndim == 2 and y.shape[0] == self.size:
            return y, lambda res, out_grid: res.reshape(res.shape[0], -1) if res.ndim == 2 else res
        raise ValueError(
            f"{name} has shape {y.shape}; expected ({self.size},), ({self.size}, B), {self.grid_shape} or "
            f"{self.grid_shape + ('B',)}"
        )


class KroneckerOperator(LinearOperator):
    """The Kronecker product ``A = A_1 ⊗ A_2 ⊗ … ⊗ A_d`` of dense factors, never formed.

    A :class:`scipy.sparse.linalg.LinearOperator`, so ``A @ x``, ``A.matvec``, ``A.matmat``, ``A.T``, ``A.H``
    and every scipy iterative solver work. Vectors are ordered row-major over the grid ``(n_1, ..., n_d)``
    (``x.reshape(n_1, ..., n_d)`` is the grid tensor), matching ``np.kron(A_1, np.kron(A_2, ...))``.

    Products use the rotation algorithm: one GEMM per factor on the whole (batched) vector, in C++ with the GIL
    released; memory is the output plus one work buffer, never an ``N x N`` array. Factors may be rectangular
    (``m_j x n_j``: the operator maps grid ``(n_j)`` to grid ``(m_j)``, e.g. test-point cross-covariances).

    Parameters
    ----------
    *factors : array_like, each 2-D
        Dense real factors (float32 or float64; mixed or integer input is promoted to float64).
    n_threads : int, optional
        Threads for the products. ``None`` (default): with the "blas" engine one ``?gemm`` call per axis,
        threaded by BLAS itself (honouring ``OPENBLAS_NUM_THREADS``/threadpoolctl); with "blocked", OpenMP's
        default (``OMP_NUM_THREADS``). An explicit count splits every GEMM into that many OpenMP row panels;
        then pin BLAS to one thread to avoid oversubscription. Results do not depend on it beyond rounding
        inside BLAS (the blocked engine is bitwise independent of it).
    method : {"auto", "blas", "blocked", "numpy"}, optional
        GEMM engine of the rotation steps: numkern's C++ driver calling scipy's BLAS ``?gemm`` ("blas", the
        default for "auto"), numkern's own cache-blocked OpenMP kernel ("blocked"), or numpy's ``matmul``
        ("numpy").
    check_finite : bool, optional
        Reject factors with NaN/inf (default True).

    Notes
    -----
    CuPy input (``A @ x``, ``A.matvec``, ``A.matmat``, ``A.apply`` with a ``cupy.ndarray``) runs on the GPU
    with numkern's CUDA launcher (one strided-GEMM launch per axis; factors are copied to the device once)
    and returns a CuPy array. Requires numkern built with CUDA.

    Attributes
    ----------
    factors : tuple of ndarray
        The factors (C-contiguous copies when conversion was needed).
    grid_shape : tuple of int
        Input grid ``(n_1, ..., n_d)``.
    out_grid_shape : tuple of int
        Output grid ``(m_1, ..., m_d)``.

    See Also
    --------
    apply_along : one factor along one axis.
    KroneckerOperator.cholesky : per-factor Cholesky view (solve, exact log-det of the unshifted operator).
    KroneckerOperator.eigh : per-factor eigen view (solve and log-det of ``A + s I``).

    Examples
    --------
    >>> import numpy as np
    >>> from numkern.kron import KroneckerOperator
    >>> rng = np.random.default_rng(0)
    >>> A1, A2 = rng.standard_normal((3, 3)), rng.standard_normal((4, 2))
    >>> A = KroneckerOperator(A1, A2)
    >>> A.shape
    (12, 6)
    >>> x = rng.standard_normal(6)
    >>> bool(np.allclose(A @ x, np.kron(A1, A2) @ x))
    True
    """

    def __init__(self, *factors, n_threads=None, method="auto", check_finite=True):
        if len(factors) == 1 and isinstance(factors[0], (list, tuple)):
            factors = tuple(factors[0])
        if len(factors) == 0:
            raise ValueError("KroneckerOperator needs at least one factor")
        arrays = [np.asarray(f) for f in factors]
        for j, a in enumerate(arrays):
            if a.dtype.kind == "c":
                raise TypeError(f"factor {j} is complex; KroneckerOperator supports real float32/float64 factors")
        dtype = np.result_type(*arrays)
        if dtype not in (np.float32, np.float64):
            dtype = np.dtype(np.float64)
        checked = []
        for j, a in enumerate(arrays):
            if check_finite:
                checked.append(_check_factor(j, a, dtype))
            else:
                if a.ndim != 2 or 0 in a.shape:
                    raise ValueError(f"factor {j} must be a non-empty 2-D array, got shape {a.shape}")
                checked.append(np.ascontiguousarray(a, dtype=dtype))
        self.factors = tuple(checked)
        self.grid_shape = tuple(f.shape[1] for f in self.factors)
        self.out_grid_shape = tuple(f.shape[0] for f in self.factors)
        self.method = _resolve_method(method)
        self.n_threads = n_threads
        self._nt = check_n_threads(n_threads)
        if n_threads is None and self.method == "blas":
            self._nt = 1  # one BLAS call per axis; BLAS's own threads apply
        self._in = _GridShapes(self.grid_shape)
        self._out = _GridShapes(self.out_grid_shape)
        super().__init__(dtype=dtype, shape=(self._out.size, self._in.size))

    # -- products ----------------------------------------------------------------------------------
    def _product(self, X):
        """(N, B) -> (M, B) for real input."""
        if X.dtype.kind == "c":
            return self._product(X.real) + 1j * self._product(X.imag)
        dtype = np.result_type(self.dtype, X.dtype)
        if dtype not in (np.float32, np.float64):
            dtype = np.dtype(np.float64)
        factors = self.factors if dtype == self.dtype else tuple(f.astype(dtype) for f in self.factors)
        if self.method == "numpy":
            return kron_matmul(factors, np.asarray(X, dtype=dtype))
        Xc = np.ascontiguousarray(X, dtype=dtype)
        out = _kron.kron_matmat(list(factors), Xc, self._nt, _ENGINES[self.method])
        return out.T  # (B, M) row-major is (M, B) column-major: no copy

    # CuPy input: GPU products (numkern's CUDA launcher, one launch per axis), CuPy output.
    def _product_cupy(self, X):
        import cupy as cp

        from ._cuda import kron_matmat_cupy

        if X.dtype not in (np.float32, np.float64):
            raise TypeError(f"CuPy input must be float32 or float64, got {X.dtype}")
        if X.ndim not in (1, 2) or X.shape[0] != self.shape[1]:
            raise ValueError(f"dimension mismatch: operator {self.shape}, input {X.shape}")
        key = (cp.cuda.Device().id, X.dtype.str)
        cache = self.__dict__.setdefault("_device_factors", {})
        if key not in cache:
            cache[key] = [cp.asarray(f, dtype=X.dtype) for f in self.factors]
        return kron_matmat_cupy(cache[key], X)

    def matvec(self, x):
        if is_cupy_array(x):
            return self._product_cupy(x.reshape(-1))
        return super().matvec(_operand(x))

    def matmat(self, X):
        if is_cupy_array(X):
            return self._product_cupy(X)
        return super().matmat(_operand(X, "X"))

    def rmatvec(self, x):
        return super().rmatvec(_operand(x))

    def rmatmat(self, X):
        return super().rmatmat(_operand(X, "X"))

    def dot(self, x):
        if is_cupy_array(x):
            return self._product_cupy(x)
        return super().dot(_operand(x))

    # scipy's @ raises ValueError("Scalar operands ...") for a string; a non-number is a TypeError here.
    def __matmul__(self, other):
        return super().__matmul__(_operand(other, "operand"))

    def __rmatmul__(self, other):
        return super().__rmatmul__(_operand(other, "operand"))

    def _matmat(self, X):
        return self._product(np.asarray(X))

    def _matvec(self, x):
        x = np.asarray(x)
        return self._product(x.reshape(-1, 1)).reshape(-1)

    def _transpose(self):
        return KroneckerOperator(
            *[f.T for f in self.factors], n_threads=self.n_threads, method=self.method, check_finite=False
        )

    _adjoint = _transpose

    def _rmatvec(self, x):
        return self._transpose()._matvec(x)

    def _rmatmat(self, X):
        return self._transpose()._matmat(X)

    def apply(self, X):
        """Apply the operator to a grid tensor ``X`` of shape ``grid_shape`` or ``grid_shape + (B,)``.

        Flat input ``(N,)``/``(N, B)`` is accepted too; the output has the matching layout
        (``out_grid_shape[+ (B,)]`` or ``(M,)``/``(M, B)``).

        Examples
        --------
        >>> import numpy as np
        >>> from numkern.kron import KroneckerOperator
        >>> A = KroneckerOperator(np.eye(2), 2 * np.eye(3))
        >>> A.apply(np.ones((2, 3))).tolist()
        [[2.0, 2.0, 2.0], [2.0, 2.0, 2.0]]
        """
        if is_cupy_array(X):
            if X.shape[: self.ndim_grid] == self.grid_shape and self.ndim_grid > 1:
                batch = X.shape[self.ndim_grid:]
                res = self._product_cupy(X.reshape(self._in.size, -1))
                return res.reshape(self.out_grid_shape + batch)
            return self._product_cupy(X)
        mat, restore = self._in.to_matrix(X, "X")
        return restore(self._product(mat), self.out_grid_shape)

    # -- structure -----------------------------------------------------------------------------
    @property
    def ndim_grid(self):
        """Number of factors ``d``."""
        return len(self.factors)

    def _require_square(self, what):
        for j, f in enumerate(self.factors):
            if f.shape[0] != f.shape[1]:
                raise ValueError(f"{what} needs square factors; factor {j} has shape {f.shape}")

    def todense(self, max_size=1 << 14):
        """The dense ``M x N`` matrix ``np.kron(A_1, ...)`` (only for small operators).

        Parameters
        ----------
        max_size : int, optional
            Refuse (``ValueError``) when ``max(M, N)`` exceeds this (default 16384).

        Examples
        --------
        >>> import numpy as np
        >>> from numkern.kron import KroneckerOperator
        >>> KroneckerOperator(np.eye(2), np.ones((1, 1))).todense().tolist()
        [[1.0, 0.0], [0.0, 1.0]]
        """
        max_size = check_integer(max_size, "max_size", min_value=1)
        if max(self.shape) > max_size:
            raise ValueError(f"operator of shape {self.shape} is too large to densify (max_size={max_size})")
        dense = self.factors[0]
        for f in self.factors[1:]:
            dense = np.kron(dense, f)
        return np.array(dense, dtype=self.dtype)

    toarray = todense

    def diag(self):
        """Diagonal of a square operator: ``⊗_j diag(A_j)`` as a flat vector of length ``N``.

        Examples
        --------
        >>> import numpy as np
        >>> from numkern.kron import KroneckerOperator
        >>> KroneckerOperator(np.diag([1.0, 2.0]), np.diag([3.0, 5.0])).diag().tolist()
        [3.0, 5.0, 6.0, 10.0]
        """
        self._require_square("diag()")
        out = np.ones(1, dtype=self.dtype)
        for f in self.factors:
            out = np.multiply.outer(out, np.diagonal(f)).reshape(-1)
        return out

    def trace(self):
        """``tr(A) = Π_j tr(A_j)`` for square factors."""
        self._require_square("trace()")
        return float(np.prod([np.trace(f) for f in self.factors]))

    def cholesky(self, jitter=0.0):
        """Per-factor Cholesky view ``A_j + jitter I = L_j L_j^T``; see :class:`KroneckerCholesky`.

        This factorises the *unshifted* product ``⊗_j (A_j + jitter I)`` (GP-HM's prior with per-factor
        jitter), whose solves and exact log-determinant it provides. It does not give ``A + s I``; use
        :meth:`eigh` for that.
        """
        self._require_square("cholesky()")
        return KroneckerCholesky(self.factors, jitter=jitter, n_threads=self.n_threads, method=self.method)

    def eigh(self):
        """Per-factor eigen view ``A_j = Q_j diag(lambda_j) Q_j^T``; see :class:`KroneckerEigh`.

        Gives solves, log-determinants and traces of ``A + s I`` for any shift ``s`` that keeps it positive
        definite (Saatci 2012).
        """
        self._require_square("eigh()")
        return KroneckerEigh(self.factors, n_threads=self.n_threads, method=self.method)


def _log_terms(values_per_factor, sizes):
    """``Σ_j (N / n_j) Σ_i values_j[i]``."""
    n_total = math.prod(sizes)
    return float(sum((n_total // n) * math.fsum(v) for v, n in zip(values_per_factor, sizes)))


def _check_dfactors(axis, dfactors, grid_shape):
    """Validate a factor index and one (n, n) or a stack (P, n, n) of factor derivatives."""
    d = len(grid_shape)
    axis = check_integer(axis, "axis")
    if not 0 <= axis < d:
        raise ValueError(f"axis must be in [0, {d}), got {axis!r}")
    dk = as_numeric_array(dfactors, "dfactors", allow_complex=False).astype(np.float64)
    single = dk.ndim == 2
    dk = dk[None] if single else dk
    n = grid_shape[axis]
    if dk.ndim != 3 or dk.shape[1:] != (n, n):
        raise ValueError(f"dfactors must have shape ({n}, {n}) or (P, {n}, {n}), got {np.shape(dfactors)}")
    if not np.all(np.isfinite(dk)):
        raise ValueError("dfactors contains NaN or inf")
    return dk, single


class KroneckerCholesky:
    """Factorised view ``K = ⊗_j K_j`` with ``K_j + jitter I = L_j L_j^T`` (lower-triangular ``L_j``).

    Semantics: this represents the *unshifted* Kronecker product of the (jittered) factors, ``⊗_j (K_j +
    jitter I)``, which is GP-HM's prior covariance. Note ``⊗_j (K_j + e I) != ⊗_j K_j + e I``. For a spherical
    shift of the whole product use :class:`KroneckerEigh`.

    Solves apply ``(L_j L_j^T)^{-1}`` along each axis with LAPACK ``potrs`` (accurate for the badly
    conditioned factors of high-frequency kernels, cond ~ 1e12); ``logdet`` is exact:
    ``log|K| = Σ_j (N / n_j) log|K_j|``, with ``log|K_j| = 2 Σ log diag L_j`` and no eigenvalue clamping.

    Parameters
    ----------
    factors : sequence of square 2-D arrays
        Symmetric positive definite factors ``K_j`` (only the lower triangles are read).
    jitter : float, optional
        Added to each factor's diagonal before factorising (default 0).
    n_threads, method
        As for :class:`KroneckerOperator` (used by :attr:`L` products).

    Raises
    ------
    numpy.linalg.LinAlgError
        (a ``ValueError``) naming the factor that is not positive definite.

    Examples
    --------
    >>> import numpy as np
    >>> from numkern.kron import KroneckerOperator
    >>> from numkern.kron.kernels import RBF
    >>> x = np.linspace(0, 1, 10)
    >>> K1 = RBF(0.2).toeplitz(x)
    >>> chol = KroneckerOperator(K1, K1).cholesky(jitter=1e-6)
    >>> dense = np.kron(K1 + 1e-6 * np.eye(10), K1 + 1e-6 * np.eye(10))
    >>> bool(np.isclose(chol.logdet(), np.linalg.slogdet(dense)[1], rtol=1e-8))
    True
    >>> y = np.ones(100)
    >>> bool(np.allclose(dense @ chol.solve(y), y))
    True
    """

    def __init__(self, factors, jitter=0.0, n_threads=None, method="auto"):
        jitter = check_real(jitter, "jitter", nonnegative=True)
        self.jitter = jitter
        lowers = []
        for j, f in enumerate(_sequence_of_arrays(factors)):
            f = _check_factor(j, f, np.float64)
            if f.shape[0] != f.shape[1]:
                raise ValueError(f"Cholesky needs square factors; factor {j} has shape {f.shape}")
            a = f + jitter * np.eye(f.shape[0]) if jitter else f
            try:
                lowers.append(sla.cholesky(a, lower=True, check_finite=False))
            except np.linalg.LinAlgError as exc:
                raise np.linalg.LinAlgError(
                    f"factor {j} (+ jitter {jitter:g}) is not positive definite: {exc}; increase jitter"
                ) from None
        self.lower_factors = tuple(lowers)
        self.grid_shape = tuple(L.shape[0] for L in lowers)
        self._shapes = _GridShapes(self.grid_shape)
        self._n_threads = n_threads
        self._method = method
        self.shape = (self._shapes.size, self._shapes.size)

    @property
    def L(self):
        """The lower-triangular Kronecker factor ``⊗_j L_j`` as a :class:`KroneckerOperator`."""
        return KroneckerOperator(*self.lower_factors, n_threads=self._n_threads, method=self._method,
                                 check_finite=False)

    def _axiswise(self, y, fn, name):
        mat, restore = self._shapes.to_matrix(y, name)
        if not np.all(np.isfinite(mat)):
            raise ValueError(f"{name} contains NaN or inf")
        batch = mat.shape[1]

        def real_solve(m):
            t = np.array(m, dtype=np.float64).reshape(self.grid_shape + (batch,))
            for j, L in enumerate(self.lower_factors):
                moved = np.moveaxis(t, j, 0)
                res = fn(L, moved.reshape(L.shape[0], -1))
                t = np.moveaxis(res.reshape(moved.shape), 0, j)
            return np.ascontiguousarray(t).reshape(self._shapes.size, batch)

        # Complex right-hand sides: real and imaginary parts separately (they were silently dropped).
        return restore(_split_complex(real_solve, mat), self.grid_shape)

    def solve(self, y):
        """``K^{-1} y`` for ``y`` of shape ``(N,)``, ``(N, B)``, ``grid_shape`` or ``grid_shape + (B,)``."""
        return self._axiswise(y, lambda L, b: sla.cho_solve((L, True), b, check_finite=False), "y")

    def solve_lower(self, y, trans=False):
        """Whitening: ``L^{-1} y`` (``trans=False``) or ``L^{-T} y`` with ``L = ⊗_j L_j``.

        ``||L^{-1} u||^2 = u^T K^{-1} u`` (the prior's quadratic form); ``L z`` with standard normal ``z``
        samples the prior (``chol.L @ z``).
        """
        t = 1 if trans else 0
        return self._axiswise(
            y, lambda L, b: sla.solve_triangular(L, b, lower=True, trans=t, check_finite=False), "y"
        )

    def inv_quad(self, y):
        """``y^T K^{-1} y`` (per column for a batch), computed as ``||L^{-1} y||^2``."""
        if np.iscomplexobj(y):
            raise TypeError("y must be real: inv_quad is the real quadratic form y^T K^-1 y")
        z = self.solve_lower(y)
        z = np.asarray(z)
        mat, _ = self._shapes.to_matrix(z, "y")
        sq = np.einsum("ib,ib->b", mat, mat)
        return float(sq[0]) if (np.ndim(y) == 1 or np.shape(y) == self.grid_shape) else sq

    def logdet_factors(self):
        """``log|K_j + jitter I|`` for each factor."""
        return np.array([2.0 * math.fsum(np.log(np.diagonal(L))) for L in self.lower_factors])

    def logdet_gradient(self, axis, dfactors):
        """Derivative of :meth:`logdet` when factor ``axis`` changes by ``dK``: ``(N / n_axis) tr(K_axis^{-1} dK)``.

        Parameters
        ----------
        axis : int
        dfactors : array_like, shape (n_axis, n_axis) or (P, n_axis, n_axis)
            Derivatives of factor ``axis`` with respect to one or ``P`` parameters.

        Returns
        -------
        float or ndarray of shape (P,)

        Examples
        --------
        >>> import numpy as np
        >>> from numkern.kron import KroneckerOperator
        >>> chol = KroneckerOperator(4 * np.eye(3), np.eye(4)).cholesky()
        >>> float(chol.logdet_gradient(0, np.eye(3)))   # d/dt log|(4 + t) I_3 ⊗ I_4| = 12 / 4
        3.0
        """
        dk, single = _check_dfactors(axis, dfactors, self.grid_shape)
        n = self.grid_shape[axis]
        L = self.lower_factors[axis]
        scale = self._shapes.size // n
        res = np.array([scale * np.trace(sla.cho_solve((L, True), m, check_finite=False)) for m in dk])
        return float(res[0]) if single else res

    def logdet(self):
        """Exact ``log|K| = Σ_j (N / n_j) log|K_j + jitter I|`` (no clamping)."""
        return _log_terms([2.0 * np.log(np.diagonal(L)) for L in self.lower_factors], self.grid_shape)


class KroneckerEigh:
    """Per-factor eigendecompositions ``K_j = Q_j diag(lambda_j) Q_j^T``: algebra of ``K + s I``.

    With ``Q = ⊗ Q_j`` and ``Lambda = ⊗ lambda_j``, ``K + s I = Q (Lambda + s) Q^T`` (Saatci 2012), so for any
    shift ``s`` (spherical noise variance, nugget) with ``Lambda + s > 0``:

    * ``solve(y, shift=s)``: ``Q diag(1 / (Lambda + s)) Q^T y`` (two Kronecker products);
    * ``logdet(shift=s)``: ``Σ_i log(Lambda_i + s)``;
    * ``trace_inv(shift=s)``, ``diag_inv(shift=s)``, ``trace_inv_times(axis, dK, shift=s)``: the trace terms of
      GP marginal-likelihood gradients.

    An eigenvalue sum ``Lambda + s`` that is not positive raises ``ValueError`` (negative shift, or a shift of
    0 on a numerically singular ``K``); nothing is clamped. For the exact log-det of the unshifted, badly
    conditioned prior prefer :class:`KroneckerCholesky`.

    Examples
    --------
    >>> import numpy as np
    >>> from numkern.kron import KroneckerOperator
    >>> from numkern.kron.kernels import RBF
    >>> x = np.linspace(0, 1, 15)
    >>> K1 = RBF(0.2).toeplitz(x)
    >>> eig = KroneckerOperator(K1, K1).eigh()
    >>> dense = np.kron(K1, K1) + 0.1 * np.eye(225)
    >>> y = np.ones(225)
    >>> bool(np.allclose(eig.solve(y, shift=0.1), np.linalg.solve(dense, y)))
    True
    >>> bool(np.isclose(eig.logdet(shift=0.1), np.linalg.slogdet(dense)[1]))
    True
    """

    def __init__(self, factors, n_threads=None, method="auto"):
        vals, vecs = [], []
        factors = _sequence_of_arrays(factors)
        # The eigenvalue grid (and every vector) has prod(n_j) entries: refuse what cannot be stored before
        # computing any eigenpairs (64 factors of size 2 would otherwise build ever larger outer products).
        sizes = [np.shape(f)[0] if np.ndim(f) == 2 else 1 for f in factors]
        check_allocation(8 * math.prod(sizes), f"factors: the eigenvalue grid of shape {tuple(sizes)}")
        for j, f in enumerate(factors):
            f = _check_factor(j, f, np.float64)
            if f.shape[0] != f.shape[1]:
                raise ValueError(f"eigh needs square factors; factor {j} has shape {f.shape}")
            w, v = np.linalg.eigh(f)
            vals.append(w)
            vecs.append(np.ascontiguousarray(v))
        self.eigenvalue_factors = tuple(vals)
        self.eigenvector_factors = tuple(vecs)
        self.grid_shape = tuple(w.size for w in vals)
        self._shapes = _GridShapes(self.grid_shape)
        self.shape = (self._shapes.size, self._shapes.size)
        self.Q = KroneckerOperator(*vecs, n_threads=n_threads, method=method, check_finite=False)
        self.QT = self.Q.T
        lam = np.ones(())
        for w in vals:
            lam = np.multiply.outer(lam, w)
        self._lam = lam
        self._lam.flags.writeable = False
        self._lam_min = float(lam.min())

    def eigenvalues(self):
        """All ``N`` eigenvalues ``Lambda = ⊗ lambda_j`` as a read-only grid tensor (not sorted)."""
        return self._lam

    def _shifted(self, shift):
        shift = check_real(shift, "shift")
        low = self._lam_min + shift
        lam = self._lam + shift
        if not low > 0:
            raise ValueError(
                f"K + shift*I is not positive definite (smallest eigenvalue {low:.3e} with shift={shift:g}); "
                "use a larger shift, or KroneckerCholesky for the unshifted prior"
            )
        return lam

    def solve(self, y, shift=0.0):
        """``(K + shift I)^{-1} y`` for ``y`` of shape ``(N,)``, ``(N, B)``, ``grid_shape[+ (B,)]``."""
        mat, restore = self._shapes.to_matrix(y, "y")
        lam = self._shifted(shift).reshape(-1, 1)

        def real_solve(m):
            z = self.QT.matmat(np.asarray(m, dtype=np.float64))
            return np.asarray(self.Q.matmat(z / lam))

        return restore(_split_complex(real_solve, mat), self.grid_shape)

    def logdet(self, shift=0.0):
        """``log|K + shift I| = Σ_i log(Lambda_i + shift)`` (exact per-factor sum when ``shift == 0``)."""
        if check_real(shift, "shift") == 0.0:
            self._shifted(0.0)
            return _log_terms([np.log(w) for w in self.eigenvalue_factors], self.grid_shape)
        return float(np.sum(np.log(self._shifted(shift))))

    def trace_inv(self, shift=0.0):
        """``tr((K + shift I)^{-1}) = Σ_i 1 / (Lambda_i + shift)``."""
        return float(np.sum(1.0 / self._shifted(shift)))

    def diag_inv(self, shift=0.0):
        """Diagonal of ``(K + shift I)^{-1}`` as a flat vector: ``(⊗ Q_j∘Q_j) (1 / (Lambda + shift))``."""
        sq = KroneckerOperator(*[v * v for v in self.eigenvector_factors], check_finite=False)
        return np.asarray(sq @ (1.0 / self._shifted(shift)).ravel())

    def trace_inv_times(self, axis, dfactors, shift=0.0):
        """``tr((K + shift I)^{-1} (K_1 ⊗ … ⊗ dK ⊗ … ⊗ K_d))`` with ``dK`` in position ``axis``.

        This is the trace term of the marginal-likelihood gradient for a parameter of factor ``axis``.

        Parameters
        ----------
        axis : int
        dfactors : array_like, shape (n_axis, n_axis) or (P, n_axis, n_axis)
            One or ``P`` symmetric derivative matrices ``dK``.
        shift : float

        Returns
        -------
        float or ndarray of shape (P,)
        """
        d = len(self.grid_shape)
        dk, single = _check_dfactors(axis, dfactors, self.grid_shape)
        inv = 1.0 / self._shifted(shift)
        # weight over the axis' eigen-index: Σ_{other indices} inv[i] Π_{k != axis} lambda_k[i_k]
        w = inv
        for k in reversed(range(d)):
            if k == axis:
                continue
            w = np.tensordot(w, self.eigenvalue_factors[k], axes=([k], [0]))
        q = self.eigenvector_factors[axis]
        # diag(Q^T dK Q) per derivative matrix
        dq = np.einsum("pij,jk->pik", dk, q)
        diag = np.einsum("ik,pik->pk", q, dq)
        res = diag @ w
        return float(res[0]) if single else res
