"""Python side of the sparse matrix product: input checking, dtype/index rules, output containers.

The kernels (numkern._sparse, header cpp/include/numkern/sparse/spgemm.hpp) take raw CSR arrays of one index
type and one value type; everything scipy-specific (formats, families, dtype promotion, index dtype rule,
canonical flags) is decided here.
"""

from __future__ import annotations

import copy
import operator

import numpy as np

from numkern._backend import any_dask
from numkern._validation import check_bool, check_n_threads
import scipy.sparse as sp

from .. import _sparse
from . import _cuda

_INT32_MAX = np.iinfo(np.int32).max

# Value dtypes the kernels compute in. Integers run as unsigned integers of the same width (wrap-around
# arithmetic is bitwise equal to two's complement); narrower integers and bool are widened and narrowed back,
# which gives the same wrapped result because reduction modulo 2**bits commutes with + and *.
_FLOAT_KINDS = (np.float32, np.float64, np.complex64, np.complex128)




def _value_dtype(dtype, name: str) -> np.dtype:
    dtype = np.dtype(dtype).newbyteorder("=")  # byte order is converted, not refused
    if dtype.kind not in "biufc" or (dtype.kind in "fc" and dtype not in _FLOAT_KINDS):
        raise TypeError(
            f"{name} has dtype {dtype}; supported value dtypes are bool, integers, float32, float64, "
            "complex64 and complex128"
        )
    return dtype


def _kernel_dtype(result: np.dtype) -> np.dtype:
    if result.kind in "fc":
        return result
    if result.kind in "iu" and result.itemsize <= 4:
        return np.dtype(np.uint32)
    return np.dtype(np.uint64)  # 64-bit integers and bool (bool sums count the true products: never wrap)


def _to_kernel_values(data: np.ndarray, kernel: np.dtype) -> np.ndarray:
    data = np.ascontiguousarray(data)
    if data.dtype == kernel:
        return data
    native = data.dtype.isnative
    if native and data.dtype.kind in "iu" and data.dtype.itemsize == kernel.itemsize and kernel.kind == "u":
        return data.view(kernel)  # same bits, no copy
    return data.astype(kernel)


def _from_kernel_values(values: np.ndarray, result: np.dtype) -> np.ndarray:
    if values.dtype == result:
        return values
    if result.kind in "iu" and result.itemsize == values.dtype.itemsize:
        return values.view(result)
    if result.kind == "b":
        return values != 0
    return values.astype(result)


def _as_csr(x, name: str):
    """CSR form of a scipy sparse input (no copy when it is CSR already)."""
    if not sp.issparse(x):
        raise TypeError(
            f"{name} must be a scipy.sparse matrix or array, got {type(x).__name__}; dense inputs are not "
            f"accepted (the product of dense operands is better done with numpy; wrap a dense array with "
            f"scipy.sparse.csr_array({name}) to multiply it as sparse)"
        )
    if x.ndim != 2:
        raise ValueError(f"{name} must be 2-D, got a {x.ndim}-D sparse array")
    _value_dtype(x.dtype, name)
    return x if x.format == "csr" else x.tocsr()


def _family(x):
    return sp.csr_array if isinstance(x, sp.sparray) else sp.csr_matrix


def _index_dtype(*arrays, nnz: int = 0, shape=(0, 0)) -> np.dtype:
    """scipy's rule: int64 when an index array is int64 or a count/shape needs it, else int32."""
    if nnz > _INT32_MAX or max(shape) > _INT32_MAX:
        return np.dtype(np.int64)
    for a in arrays:
        if not np.can_cast(a.dtype, np.int32):
            return np.dtype(np.int64)
    return np.dtype(np.int32)


def _check_structure(indptr, indices, nrows, ncols, data, name, n_threads, b_indptr=None, run_ids=False):
    """Validate one CSR structure (operand or mask): (band, run ids or None, canonical), or with b_indptr (band,
    flop, total flop, run ids or None, canonical); canonical: every row strictly increases."""
    if indptr.shape != (nrows + 1,) or len(data) < len(indices):
        raise ValueError(f"{name} has an inconsistent CSR structure (indptr/indices/data lengths)")
    if b_indptr is None:
        result = _sparse.validate_band(indptr, indices, nrows, ncols, n_threads, run_ids)
    else:
        result = _sparse.validate_band_flops(indptr, indices, nrows, ncols, b_indptr, n_threads, run_ids)
    if result[0] < 0:
        raise ValueError(
            f"{name} has an invalid CSR structure (indptr must start at 0 and be non-decreasing up to "
            f"len(indices), indices must lie in [0, {ncols}))"
        )
    return result


class _Operands:
    """Checked, kernel-ready CSR arrays of A and B (shared index dtype, C-contiguous)."""

    def __init__(self, A, B, n_threads):
        self.n_threads = check_n_threads(n_threads)
        self.family = _family(A)
        self.A = _as_csr(A, "A")
        self.B = _as_csr(B, "B")
        (m, k), (k2, n) = self.A.shape, self.B.shape
        if k != k2:
            raise ValueError(f"shape mismatch: A is {self.A.shape} and B is {self.B.shape} (A.shape[1] != B.shape[0])")
        self.shape = (m, n)
        self.k = k
        self.result_dtype = np.result_type(self.A.dtype, self.B.dtype).newbyteorder("=")
        self.kernel_dtype = _kernel_dtype(self.result_dtype)
        arrays = (self.A.indptr, self.A.indices, self.B.indptr, self.B.indices)
        self.index_dtype = _index_dtype(*arrays, shape=(m, n, k))
        self._set_index_arrays(self.index_dtype)
        # band(A) + band(B) bounds every output row's column span: small for stencils and bands. The pass that
        # validates A also counts the partial products of every row (B is checked first, and its row pointers are
        # read only through A's indices in range). The pass over B labels B's rows by relative structure (run
        # ids): the kernel replays a recorded stencil row for a later row whose B rows are in the same runs.
        # The same pass tells whether B's rows strictly increase (canonical: sorted, no duplicates), which lets
        # rows of A with one entry copy a B row and bounds rows by the ends of their B rows. It is measured, not
        # read from scipy's cached has_canonical_format, which in-place edits of B.indices leave stale.
        square_self = self.B is self.A and k == m  # A @ A: one check covers both
        if not square_self:
            band_b, self.b_run, b_canonical = _check_structure(
                self.Bp, self.Bj, k, n, self.B.data, "B", self.n_threads, run_ids=True
            )
        band_a, self._flop, self._total_flop, run_a, a_canonical = _check_structure(
            self.Ap, self.Aj, m, k, self.A.data, "A", self.n_threads, b_indptr=self.Bp, run_ids=square_self
        )
        if square_self:
            self.b_run, self.band, self.b_canonical = run_a, 2 * band_a, bool(a_canonical)
        else:
            self.band, self.b_canonical = band_a + band_b, bool(b_canonical)

    def _set_index_arrays(self, dtype):
        conv = lambda a: np.ascontiguousarray(a, dtype=dtype)  # noqa: E731
        self.Ap, self.Aj = conv(self.A.indptr), conv(self.A.indices)
        self.Bp, self.Bj = conv(self.B.indptr), conv(self.B.indices)

    def own_index_arrays(self):
        """Private copies of the index arrays wherever they are still the caller's."""
        callers = (self.A.indptr, self.A.indices, self.B.indptr, self.B.indices)

        def owned(a):
            return a.copy() if any(np.may_share_memory(a, c) for c in callers) else a

        self.Ap, self.Aj, self.Bp, self.Bj = (owned(a) for a in (self.Ap, self.Aj, self.Bp, self.Bj))

    def widen_indices(self):
        self.index_dtype = np.dtype(np.int64)
        self._set_index_arrays(self.index_dtype)
        self.b_run = self.b_run.astype(np.int64)

    def flops(self):
        """(partial products per row of A B, int64; their total), counted while validating A."""
        return self._flop, self._total_flop

    def structure(self):
        """The kernels' keyword arguments for the validated structures of A and B and the flop counts."""
        m, n = self.shape
        return dict(Ap=self.Ap, Aj=self.Aj, Bp=self.Bp, Bj=self.Bj, m=m, k=self.k, n=n, flop=self._flop,
                    total_flop=self._total_flop)

    def values(self, A_data=None, B_data=None):
        a = self.A.data if A_data is None else A_data
        b = self.B.data if B_data is None else B_data
        return _to_kernel_values(a, self.kernel_dtype), _to_kernel_values(b, self.kernel_dtype)

    def symbolic(self):
        """Exclusive prefix sum of the structural row counts (int64), from the flop counts of the validation
        pass."""
        return _sparse.symbolic(
            **self.structure(), b_canonical=self.b_canonical, band=self.band, n_threads=self.n_threads
        )

    def numeric(self, Ax, Bx, Cp, Cj, Cx, sort_indices, keep_zeros, single_pass):
        """The numeric product into Cp/Cj/Cx (see _sparse.numeric); returns the final nnz."""
        return _sparse.numeric(
            **self.structure(), Ax=Ax, Bx=Bx, b_canonical=self.b_canonical, band=self.band, b_run=self.b_run, Cp=Cp,
            Cj=Cj, Cx=Cx, sort_indices=bool(sort_indices), keep_zeros=bool(keep_zeros), n_threads=self.n_threads,
            single_pass=single_pass,
        )


def _finish(ops: _Operands, indptr, indices, values, nnz, keep_zeros, sorted_rows):
    """Trim, convert values back to the result dtype and wrap in the caller's family."""
    if nnz < len(indices):
        # Dropped zeros: keep views unless the slack is large, then give the memory back.
        if nnz < 0.75 * len(indices):
            indices, values = indices[:nnz].copy(), values[:nnz].copy()
        else:
            indices, values = indices[:nnz], values[:nnz]
    data = _from_kernel_values(values, ops.result_dtype)
    if not keep_zeros and data.dtype != values.dtype and data.dtype.itemsize < values.dtype.itemsize:
        # Narrow integers can wrap to zero: drop those too, as scipy does.
        nonzero = data != 0
        if not nonzero.all():
            kept_before = np.concatenate(([0], np.cumsum(nonzero, dtype=np.int64)))
            indptr = kept_before[indptr].astype(indptr.dtype)
            indices, data = indices[nonzero], data[nonzero]
    C = ops.family((data, indices, indptr), shape=ops.shape)
    if sorted_rows:
        C.has_canonical_format = True
    else:
        C.has_sorted_indices = False
        C._has_canonical_format = False
    return C


def _empty(ops: _Operands):
    # scipy returns a fresh empty container (default index dtype) when the product has no structural entry.
    return ops.family(ops.shape, dtype=ops.result_dtype)


def matmul(A, B, *, n_threads=None, sort_indices=True, keep_zeros=False, _force_int64=False):
    """Sparse matrix product ``C = A @ B`` with multithreaded hash/dense row accumulators.

    Same values and structure as scipy's ``A @ B``, in a single pass (no symbolic phase): the output arrays
    are reserved at the flop bound (the number of multiplications) and only their first ``nnz(C)`` entries
    are ever written, then they are shrunk in place, so the untouched tail never becomes resident. On one
    thread rows go straight into them; on several threads rows are split into chunks of about 262144
    multiplications handed out dynamically in row order: a chunk whose offset is known (all earlier chunks
    finished) writes in place, otherwise it stages its rows in a small reused buffer and moves them to its
    offset as soon as the chunk before it finishes. Each output row is accumulated by one thread in the
    storage order of ``A``'s row and ``B``'s rows, so results are bitwise the same for every ``n_threads``
    and equal scipy's sums.

    Peak memory: the inputs, the output, 8 bytes per row of ``A`` (flop counts), one index per row of ``B``
    (labels of rows that repeat their predecessor's structure, for stencil rows) and per-thread accumulators
    (a hash table of the largest row, or a dense window of at most ``B.shape[1]`` columns, and a recorded
    structure of one window row of at most 65536 multiplications, 8 bytes per multiplication with int32
    indices, that repeating stencil rows replay), plus on several threads the staging buffers: one per
    running chunk that does not know its offset yet and one per chunk finished ahead of an unfinished earlier
    chunk, each resident only up to that chunk's output; about one buffer of under 4 MB per thread for
    balanced chunks, at most the output of the chunks waiting if one chunk is much slower than the rest.
    Address space (not resident memory) of ``12 x flops`` bytes (float64, int32) is reserved for the output.
    With int32 indices and more than 2**31 - 1 multiplications, a symbolic pass first counts ``nnz(C)`` (to
    choose the index dtype) and the output is allocated at its exact size.

    Parameters
    ----------
    A, B : scipy sparse matrix or array, or cupyx.scipy.sparse matrix
        2-D operands of any format (CSR is used as is, without a copy; other formats go through ``tocsr()``).
        CuPy sparse operands run on the GPU (float32/float64; binned hash-table kernels, see the module notes)
        and give a CuPy CSR matrix; there, rounding of the last bit depends on the order of atomic additions.
        Unsorted indices and duplicate entries are allowed. Values may be bool, any integer type, float32,
        float64, complex64 or complex128; mixed dtypes are promoted like scipy (``numpy.result_type``);
        integer products wrap around like scipy's. Dense arrays are rejected with a ``TypeError`` (wrap them
        with ``scipy.sparse.csr_array`` to multiply them as sparse).
    n_threads : int, optional
        OpenMP threads; default ``None`` follows OpenMP (``OMP_NUM_THREADS``, threadpoolctl). Products with
        fewer than 65536 multiplications run on one thread.
    sort_indices : bool, optional
        Sort the column indices of every output row (default). ``False`` skips the sort (rows built with a
        hash table keep first-insertion order); the result is then flagged ``has_sorted_indices = False``.
    keep_zeros : bool, optional
        Keep entries whose sum is exactly zero (cancellation, explicit zeros). Default ``False`` drops them,
        as scipy does.

    Returns
    -------
    C : csr_array or csr_matrix
        The product, in the family of ``A`` (``csr_array`` for sparse arrays, ``csr_matrix`` for matrices).
        Index dtype by scipy's rule: int64 when an input has int64 indices or ``nnz(C)`` needs it, else int32.
        ``has_sorted_indices`` / ``has_canonical_format`` are set truthfully.

    Raises
    ------
    TypeError
        Dense or non-sparse operands, unsupported value dtypes (object, str, float16, long double),
        ``sort_indices`` or ``keep_zeros`` not a bool.
    ValueError
        Shape mismatch, non-2-D operands, invalid CSR structures, bad ``n_threads``.

    See Also
    --------
    spgemm_plan : reuse the symbolic phase when only values change.
    masked_matmul : the product restricted to a mask pattern.

    Examples
    --------
    >>> import numpy as np
    >>> import scipy.sparse as sp
    >>> from numkern.sparse import matmul
    >>> A = sp.random_array((200, 300), density=0.05, format="csr", rng=0)
    >>> B = sp.random_array((300, 100), density=0.05, format="csr", rng=1)
    >>> C = matmul(A, B, n_threads=2)
    >>> D = A @ B
    >>> D.sort_indices()
    >>> bool(np.array_equal(C.indptr, D.indptr) and np.array_equal(C.indices, D.indices))
    True
    >>> bool(np.allclose(C.data, D.data, rtol=1e-15, atol=0))
    True
    """
    if any_dask(A, B):  # one task per row block of A (numkern.sparse._dask)
        from ._dask import matmul as dask_matmul
        return dask_matmul(A, B, n_threads, sort_indices, keep_zeros)
    sort_indices = check_bool(sort_indices, "sort_indices")
    keep_zeros = check_bool(keep_zeros, "keep_zeros")
    if _cuda.is_cupy_sparse(A) or _cuda.is_cupy_sparse(B):
        return _cuda.matmul_cupy(A, B, sort_indices=sort_indices, keep_zeros=keep_zeros)
    ops = _Operands(A, B, n_threads)
    _, total_flop = ops.flops()
    if total_flop == 0:
        return _empty(ops)
    if not _force_int64 and (ops.index_dtype == np.int64 or total_flop <= _INT32_MAX):
        return _matmul_fused(ops, total_flop, sort_indices, keep_zeros)
    prefix = ops.symbolic()
    nnz = int(prefix[-1])
    if _force_int64 or _index_dtype(ops.Ap, ops.Bp, nnz=nnz, shape=ops.shape) == np.int64:
        if ops.index_dtype != np.int64:
            ops.widen_indices()
    Ax, Bx = ops.values()
    Cp = prefix.astype(ops.index_dtype, copy=False)
    Cj = np.empty(nnz, dtype=ops.index_dtype)
    Cx = np.empty(nnz, dtype=ops.kernel_dtype)
    final = ops.numeric(Ax, Bx, Cp, Cj, Cx, sort_indices, keep_zeros, single_pass=False)
    return _finish(ops, Cp, Cj, Cx, final, keep_zeros, bool(sort_indices))


def _matmul_fused(ops: _Operands, total_flop, sort_indices, keep_zeros):
    """Product without the symbolic pass: rows go back to back into arrays sized by the flop bound.

    The arrays are allocated at ``total_flop`` entries but only the first ``nnz`` are ever written, so the
    untouched tail never becomes resident (large allocations are mmap'd lazily); ``ndarray.resize`` then
    shrinks them in place (realloc/mremap, no copy). This saves the exact symbolic pass, which costs about a
    quarter of the product on stencils and bands. On several threads a chunk whose offset is not known yet
    stages its rows in a small reused buffer until the chunk before it finishes (see ``spgemm_single_pass``). With no int64
    input, ``total_flop`` fitting int32 guarantees that ``nnz`` does too.
    """
    Ax, Bx = ops.values()
    Cp = np.empty(ops.shape[0] + 1, dtype=ops.index_dtype)
    Cj = np.empty(total_flop, dtype=ops.index_dtype)
    Cx = np.empty(total_flop, dtype=ops.kernel_dtype)
    final = ops.numeric(Ax, Bx, Cp, Cj, Cx, sort_indices, keep_zeros, single_pass=True)
    Cj.resize(final, refcheck=False)
    Cx.resize(final, refcheck=False)
    return _finish(ops, Cp, Cj, Cx, final, keep_zeros, bool(sort_indices))


def _on_pattern(ops: _Operands, Ax, Bx, pattern_indptr, pattern_indices, keep_zeros):
    Cp = np.array(pattern_indptr, dtype=ops.index_dtype, copy=True)
    Cj = np.array(pattern_indices, dtype=ops.index_dtype, copy=True)
    Cx = np.empty(len(Cj), dtype=ops.kernel_dtype)
    final = _sparse.on_pattern(
        **ops.structure(), Ax=Ax, Bx=Bx, Cp=Cp, Cj=Cj, Cx=Cx, keep_zeros=bool(keep_zeros), n_threads=ops.n_threads
    )
    return _finish(ops, Cp, Cj, Cx, final, keep_zeros, True)


def _canonical_pattern(M, shape, n_threads):
    """(indptr, indices, wide) of the mask: a validated CSR pattern with sorted rows and no duplicates (a copy only
    when it has neither); wide: the mask itself has int64 indices. Index arrays that are not 1-D (an attribute
    reassigned to a (nnz, 1) array) are read flat, as :func:`matmul` reads those of its operands."""
    if not sp.issparse(M):
        raise TypeError(f"mask must be a scipy.sparse matrix or array, got {type(M).__name__}")
    if M.ndim != 2 or M.shape != shape:
        raise ValueError(f"mask must have the shape of A @ B, {shape}, got {M.shape}")
    M = M.tocsr()
    wide = _index_dtype(M.indptr, M.indices) == np.int64
    index_dtype = _index_dtype(M.indptr, M.indices, shape=shape)
    indptr = np.ascontiguousarray(M.indptr, dtype=index_dtype)
    indices = np.ascontiguousarray(M.indices, dtype=index_dtype).reshape(-1)
    # Canonical is measured rather than read from scipy's cached flags, which in-place edits of M.indices leave
    # stale.
    _, _, canonical = _check_structure(indptr, indices, shape[0], shape[1], M.data, "mask", n_threads)
    if not canonical:
        # Sort and merge duplicates on a private copy of the structure (the mask's values are ignored; bool
        # sums of duplicates stay True, so no position is lost).
        nnz = int(indptr[-1])
        S = sp.csr_array((np.ones(nnz, dtype=bool), indices[:nnz].copy(), indptr.copy()), shape=shape)
        S.sum_duplicates()
        indptr, indices = S.indptr, S.indices
    return indptr, indices, wide


def masked_matmul(A, B, mask, *, n_threads=None, keep_zeros=False):
    """Masked sparse product: the entries of ``A @ B`` at the stored positions of ``mask``.

    Only partial products whose output position is stored in ``mask`` are accumulated (in a per-row hash
    table or dense map built from the mask row), so the full product is never formed: ``C = (A @ B) .* S``
    with ``S`` the structure of ``mask`` (its values, including explicit zeros, are ignored). This is the
    GraphBLAS ``C<M> = A*B`` with a structural mask, e.g. triangle counting ``sum(L @ L .* L)``.

    Parameters
    ----------
    A, B : scipy sparse matrix or array
        Operands, as for :func:`matmul`.
    mask : scipy sparse matrix or array
        Pattern of shape ``(A.shape[0], B.shape[1])``; duplicates are merged. Like the operands' index arrays,
        its ``indices`` are read flat even when not 1-D.
    n_threads : int, optional
        OpenMP threads (default: OpenMP's setting).
    keep_zeros : bool, optional
        Keep masked entries that received partial products summing exactly to zero (default: drop them).
        Mask positions that received no partial product are never stored.

    Returns
    -------
    C : csr_array or csr_matrix
        Sorted, canonical product restricted to the mask, in the family of ``A``.

    Raises
    ------
    TypeError
        Dense or non-sparse operands or mask, unsupported value dtypes, ``keep_zeros`` not a bool.
    ValueError
        Shape mismatches, invalid CSR structures of the operands or the mask (pointers out of order or past
        ``len(indices)``, indices out of range).

    Examples
    --------
    Count the triangles of a graph from its strictly lower triangle ``L``: every triangle ``i > j > k`` is one
    entry of ``L @ L`` at a position stored in ``L``.

    >>> import numpy as np
    >>> import scipy.sparse as sp
    >>> from numkern.sparse import masked_matmul
    >>> K4 = sp.csr_array(np.ones((4, 4)) - np.eye(4))  # complete graph on 4 nodes: 4 triangles
    >>> L = sp.tril(K4, k=-1, format="csr")
    >>> int(masked_matmul(L, L, L).sum())
    4
    """
    keep_zeros = check_bool(keep_zeros, "keep_zeros")
    ops = _Operands(A, B, n_threads)
    mask_indptr, mask_indices, mask_wide = _canonical_pattern(mask, ops.shape, ops.n_threads)
    if mask_wide and ops.index_dtype != np.int64:
        ops.widen_indices()
    Ax, Bx = ops.values()
    return _on_pattern(ops, Ax, Bx, mask_indptr, mask_indices, keep_zeros)




class SpgemmPlan:
    """Structure of ``A @ B`` computed once, reused to multiply new values on the same structures.

    Created by :func:`spgemm_plan`. Wraps a C++ handle that owns copies of the CSR index arrays of ``A`` and ``B``
    (later in-place edits of ``A`` or ``B`` do not reach it), the flop counts, the sorted structural pattern of the
    product and, by default, a scatter map (the output position of every partial product), with which
    :meth:`multiply` is a pure gather-multiply-add stream: no hashing and no sorting.

    Attributes
    ----------
    shape : tuple of int
        Shape of the product.
    nnz : int
        Number of structural entries of the product (before exact zeros are dropped).
    flops : int
        Number of scalar multiplications of one product (GFLOP/s figures count two flops per multiplication).
    index_dtype : numpy.dtype
        Index dtype of the products.
    scatter_map : bool
        Whether the plan holds a scatter map (else :meth:`multiply` looks positions up in the pattern).
    nbytes : int
        Memory the plan holds: index copies of ``A`` and ``B``, flop counts, pattern and scatter map.
    map_nbytes : int
        The scatter map's part of ``nbytes``: at most ``flops`` codes plus 9 bytes per row (codes are local to
        the row: one byte for rows of fewer than 256 entries, two below 65536, else an index; rows that repeat a
        recent row's codes, as stencil and band rows do, share them).
    """

    def __init__(self, ops: _Operands, handle):
        self._ops = ops
        self._handle = handle
        self.shape = ops.shape
        self.nnz = int(handle.nnz)
        self.flops = int(handle.total_flop)
        self.index_dtype = ops.index_dtype
        self.scatter_map = bool(handle.has_map)
        self.nbytes = int(handle.nbytes)
        self.map_nbytes = int(handle.map_nbytes)

    def __repr__(self) -> str:
        return (
            f"SpgemmPlan(shape={self.shape}, nnz={self.nnz}, flops={self.flops}, index_dtype={self.index_dtype}, "
            f"scatter_map={self.scatter_map})"
        )

    def _data_of(self, x, shape, indptr, indices, name):
        """Values for the planned structure (shape, indptr, indices: the plan's own copies)."""
        nnz = int(indptr[-1])
        if sp.issparse(x):
            x_csr = x.tocsr()
            if (
                x_csr.shape != shape
                or x_csr.nnz != nnz
                or not np.array_equal(x_csr.indptr, indptr)
                or not np.array_equal(x_csr.indices[:nnz], indices[:nnz])
            ):
                raise ValueError(f"{name} does not have the structure the plan was made for")
            x = x_csr.data
        x = np.asarray(x)
        if x.ndim != 1 or len(x) < nnz:
            raise ValueError(
                f"{name} must be a 1-D array of the {nnz} stored values of the planned matrix "
                f"(in its CSR order), got shape {x.shape}"
            )
        _value_dtype(x.dtype, name)
        return x

    def multiply(self, A_data, B_data, *, keep_zeros=False, out=None):
        """Compute ``A @ B`` for new values on the planned structures.

        Only values are computed: the result's ``indptr`` and ``indices`` are the plan's pattern itself, shared
        read-only (no copy), unless exact zeros are dropped (then the result has its own index arrays). Being
        read-only, they refuse in-place structural edits such as ``C.eliminate_zeros()`` (a
        ``ValueError``; with the default ``keep_zeros=False`` there is no zero to eliminate) or writes into
        ``C.indices``; ``C.copy()`` gives a result with index arrays of its own.

        Parameters
        ----------
        A_data, B_data : array_like or sparse matrix
            New stored values of ``A`` and ``B`` in the CSR order of the matrices given to
            :func:`spgemm_plan` (their ``.data`` after conversion to CSR), or sparse matrices with exactly
            those structures.
        keep_zeros : bool, optional
            Keep entries whose sum is exactly zero (default: drop them, like scipy). Must be ``True`` with
            ``out``, which keeps every position of the planned pattern.
        out : csr_array or csr_matrix, optional
            A result of this plan holding its whole pattern (from ``multiply(..., keep_zeros=True)``, or one
            where no zero was dropped), whose values are overwritten in place (numeric reuse, as cuSPARSE's and
            KokkosKernels' numeric phases do): no allocation and no page faults of fresh memory.
            Its ``data`` must have the result dtype of ``A_data`` and ``B_data`` and must not share memory with
            them. Its index arrays are checked in constant time when they are the plan's own (shared), else
            compared entry by entry.

        Returns
        -------
        C : csr_array or csr_matrix
            The product, in the family of the planned ``A``, with sorted indices; ``out`` itself when given.

        Raises
        ------
        TypeError
            Unsupported value dtypes, ``keep_zeros`` not a bool, ``out`` not a scipy sparse CSR matrix or array.
        ValueError
            Values that do not fit the planned structures; ``out`` of another shape, pattern or dtype, sharing
            memory with the values, or without ``keep_zeros=True``.
        """
        keep_zeros = check_bool(keep_zeros, "keep_zeros")
        ops = copy.copy(self._ops)
        h = self._handle
        a = self._data_of(A_data, ops.A.shape, h.a_indptr, h.a_indices, "A_data")
        b = self._data_of(B_data, ops.B.shape, h.b_indptr, h.b_indices, "B_data")
        result = np.result_type(a.dtype, b.dtype).newbyteorder("=")
        ops.result_dtype, ops.kernel_dtype = result, _kernel_dtype(result)
        if out is not None:
            if not keep_zeros:
                raise ValueError(
                    "keep_zeros must be True with out: an in-place result keeps every position of the planned "
                    "pattern, exact zeros included"
                )
            return self._multiply_into(out, ops, a, b)
        if self.flops == 0:
            return _empty(ops)
        Ax, Bx = ops.values(a, b)
        Cx = np.empty(self.nnz, dtype=ops.kernel_dtype)
        if h.multiply(Ax, Bx, Cx) and not keep_zeros:
            Cp, Cj, nnz = h.compact_zeros(Cx)
        else:
            Cp, Cj, nnz = h.indptr, h.indices, self.nnz  # the plan's own pattern, read-only
        return _finish(ops, Cp, Cj, Cx, nnz, keep_zeros, True)

    def _multiply_into(self, out, ops: _Operands, a, b):
        """multiply(..., out=out): the values written into out.data in place."""
        h = self._handle
        if not (sp.issparse(out) and out.format == "csr"):
            raise TypeError(f"out must be a scipy.sparse CSR matrix or array (a result of this plan), got "
                            f"{type(out).__name__}")
        if out.shape != self.shape:
            raise ValueError(f"out must have the shape of the product, {self.shape}, got {out.shape}")
        if not (_same_array(out.indptr, h.indptr) and _same_array(out.indices, h.indices)):
            raise ValueError(
                f"out does not hold the planned pattern ({self.nnz} entries): make it with "
                "plan.multiply(..., keep_zeros=True)"
            )
        data = out.data
        if data.dtype != ops.result_dtype:
            raise ValueError(f"out has dtype {data.dtype}; the product of A_data and B_data has dtype "
                             f"{ops.result_dtype}")
        if data.shape != (self.nnz,) or not data.flags.c_contiguous or not data.flags.writeable:
            raise ValueError(f"out.data must be a writeable contiguous array of {self.nnz} values")
        if np.may_share_memory(data, a) or np.may_share_memory(data, b):
            raise ValueError("out shares memory with A_data or B_data")
        if self.flops > 0:
            Ax, Bx = ops.values(a, b)
            kernel = ops.kernel_dtype
            direct = data.dtype == kernel or (data.dtype.kind in "iu" and data.dtype.itemsize == kernel.itemsize)
            Cx = data.view(kernel) if direct else np.empty(self.nnz, dtype=kernel)
            h.multiply(Ax, Bx, Cx)
            if not direct:  # narrow integers and bool are computed wider, then narrowed into out
                np.copyto(data, _from_kernel_values(Cx, ops.result_dtype))
        return out


def _same_array(x, y) -> bool:
    """x equals y: at once when x is y's memory (a pattern shared with the plan), else entry by entry."""
    x = np.asarray(x)
    if x.shape != y.shape:
        return False
    same_memory = (x.dtype == y.dtype and x.strides == y.strides
                   and x.__array_interface__["data"][0] == y.__array_interface__["data"][0])
    return same_memory or bool(np.array_equal(x, y))


def spgemm_plan(A, B, *, n_threads=None, scatter_map=None):
    """Symbolic phase of ``A @ B``, kept for numeric products with new values on the same structures.

    Multigrid setup, Newton iterations and graph analytics multiply matrices whose structure is fixed while
    the values change (KokkosKernels' ``spgemm_symbolic`` / ``spgemm_numeric``, cuSPARSE's reuse API). The
    plan (a C++ handle) stores the flop counts, the sorted pattern of the product, its own copies of the index
    arrays of ``A`` and ``B`` (so in-place edits of ``A`` or ``B`` after planning cannot reach its kernels) and a
    scatter map, the position in the output of every partial product; :meth:`SpgemmPlan.multiply` then only
    streams ``C.data[map[t]] += A.data[p] * B.data[q]`` in the order :func:`matmul` accumulates, so its values are
    bitwise those of a product on the planned pattern, with no hashing and no sorting.

    Memory: the index arrays of ``A`` and ``B`` once more, 8 bytes per row, the pattern (``nnz`` indices plus
    ``shape[0] + 1``) and the map, at most ``flops`` codes of one byte (rows of fewer than 256 entries), two or
    one index each plus 9 bytes per row (``SpgemmPlan.map_nbytes``; rows repeating the codes of a recent row share
    them, so stencil and band maps take little more than the 9 bytes per row). Results share the pattern with the
    plan (read-only), so a product allocates only its values; ``multiply(..., out=C)`` reuses those too.

    Parameters
    ----------
    A, B : scipy sparse matrix or array
        Operands whose structures (CSR index arrays) the plan records; as for :func:`matmul`.
    n_threads : int, optional
        OpenMP threads for the plan and its products (default: OpenMP's setting).
    scatter_map : bool, optional
        Build the scatter map (``True``), or not (``False``: products look each column up in the pattern row
        through a hash table, slower but without the map's memory). Default ``None``: build it when it takes at
        most 4 times the memory of the output (float64 values).

    Returns
    -------
    plan : SpgemmPlan

    Examples
    --------
    >>> import numpy as np
    >>> import scipy.sparse as sp
    >>> from numkern.sparse import spgemm_plan
    >>> A = sp.random_array((100, 100), density=0.05, format="csr", rng=0)
    >>> plan = spgemm_plan(A, A)
    >>> C = plan.multiply(2.0 * A.data, A.data)
    >>> bool(np.allclose(C.toarray(), 2.0 * (A @ A).toarray()))
    True
    """
    if scatter_map is None:
        policy = _sparse.ScatterMap.automatic
    else:
        policy = _sparse.ScatterMap.always if check_bool(scatter_map, "scatter_map") else _sparse.ScatterMap.never
    ops = _Operands(A, B, n_threads)
    prefix = ops.symbolic()
    nnz = int(prefix[-1])
    if _index_dtype(ops.Ap, ops.Bp, nnz=nnz, shape=ops.shape) == np.int64 and ops.index_dtype != np.int64:
        ops.widen_indices()
    plan_class = _sparse.SpgemmPlanInt64 if ops.index_dtype == np.int64 else _sparse.SpgemmPlanInt32
    # The handle copies the index arrays (products on it read B through A's indices, so an in-place edit of the
    # caller's arrays after planning must not reach the kernels) and computes the sorted pattern and the map.
    handle = plan_class(
        **ops.structure(), b_canonical=ops.b_canonical, band=ops.band, b_run=ops.b_run, offsets=prefix,
        scatter_map=policy, n_threads=ops.n_threads,
    )
    ops.Ap, ops.Aj, ops.Bp, ops.Bj = handle.a_indptr, handle.a_indices, handle.b_indptr, handle.b_indices
    ops.b_run = None
    return SpgemmPlan(ops, handle)
