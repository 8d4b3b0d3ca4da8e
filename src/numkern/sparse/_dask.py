"""``sparse.matmul(A, B)`` with ``A`` a dask array of scipy.sparse row blocks: one SpGEMM task per row block.

``C[rows_i, :] = A[rows_i, :] @ B``: each task runs :func:`numkern.sparse.matmul` (the multithreaded C++
row-wise SpGEMM) on its row block of ``A`` and the whole of ``B``; the result is a dask array of CSR chunks with
``A``'s row chunks and one column chunk (``.compute()`` stacks them into one CSR matrix; dask registers
``concatenate`` for scipy.sparse). Each output row depends only on its row of ``A`` and on ``B``, so the blocks
hold exactly the rows (structure and values, bit for bit) of the in-memory product.

Shipping ``B``: ``B`` is one key of the graph, so each worker fetches it once and reuses it for all its tasks (not
one copy per task). With a ``dask.distributed`` client running, a scipy ``B`` is first scattered to every worker
(``client.scatter(B, broadcast=True)``), so no task waits for a transfer; without one it is a single graph key. A
dask ``B`` (chunked by rows, it must fit one worker) is merged into one chunk on the workers, never in the client.
When ``B`` does not fit a worker, a 2-D (SUMMA-style) block product would be needed; it is not implemented.

``A`` must have known chunk sizes and scipy.sparse chunks (build it with
``dask.array.from_array(csr, chunks=(rows, -1), asarray=False)`` or ``map_blocks`` returning CSR blocks); a dask
``A`` chunked along its columns is merged to whole rows first.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .._backend import is_dask_array
from .._dask_util import require_known_chunks


def _block_product(a, b, n_threads, sort_indices, keep_zeros):
    from ._spgemm import matmul

    if not sp.issparse(a):
        raise TypeError(f"A: a chunk is {type(a).__name__}, not a scipy.sparse matrix")
    return matmul(a.tocsr(), b, n_threads=n_threads, sort_indices=sort_indices, keep_zeros=keep_zeros)


def _scattered(B):
    """B on every worker (``client.scatter(B, broadcast=True)``) when a distributed client is running, else None."""
    try:
        from distributed import default_client

        client = default_client()
    except (ImportError, ValueError):
        return None
    return client.scatter(B, broadcast=True, hash=False)


def matmul(A, B, n_threads=None, sort_indices=True, keep_zeros=False):
    """The row-block product (see the module notes): a lazy dask array of CSR chunks."""
    import dask.array as da

    from ._spgemm import matmul as matmul_in_memory

    if not is_dask_array(A):
        raise TypeError("sparse.matmul: B is a dask array but A is not; pass A as a dask array of CSR row blocks "
                        "(dask.array.from_array(A, chunks=(rows, -1), asarray=False)) or B as scipy.sparse")
    for x, name in ((A, "A"), (B, "B")):
        if is_dask_array(x):
            require_known_chunks(x, name)
            if not sp.issparse(x._meta):
                raise TypeError(f"{name}: the dask array's chunks are {type(x._meta).__name__}, not scipy.sparse; "
                                "build it with dask.array.from_array(csr, chunks=(rows, -1), asarray=False)")
    if A.ndim != 2 or B.ndim != 2:
        raise ValueError(f"A and B must be 2-D, got shapes {A.shape} and {B.shape}")
    if A.shape[1] != B.shape[0]:
        raise ValueError(f"dimension mismatch: A is {A.shape}, B is {B.shape}")
    if A.numblocks[1] > 1:
        A = A.rechunk({1: -1})
    if is_dask_array(B):
        b_probe = sp.csr_matrix((B.shape[0], 0), dtype=B.dtype)
    elif not sp.issparse(B):
        raise TypeError(f"B: expected a scipy.sparse matrix or a dask array of them, got {type(B).__name__}")
    else:
        b_probe = B
    # The in-memory checks (value dtypes, flags) and the result type, on an empty row of A: no work.
    probe = matmul_in_memory(sp.csr_matrix((1, A.shape[1]), dtype=A.dtype), b_probe, n_threads=n_threads,
                             sort_indices=sort_indices, keep_zeros=keep_zeros)
    meta = sp.csr_matrix((0, 0), dtype=probe.dtype)
    future = None if is_dask_array(B) else _scattered(B)
    if future is not None:  # every task depends on the scattered key, already held by every worker
        return A.map_blocks(_block_product, future, n_threads, sort_indices, keep_zeros, dtype=probe.dtype,
                            meta=meta, chunks=(A.chunks[0], (B.shape[1],)))
    # A one-chunk dask array: a single key of the graph, fetched once per worker.
    Bd = B.rechunk(B.shape) if is_dask_array(B) else da.from_array(B, chunks=B.shape, asarray=False, meta=B[:0, :0])
    return da.blockwise(_block_product, "ij", A, "ik", Bd, "kj", concatenate=True, dtype=probe.dtype, meta=meta,
                        adjust_chunks={"j": B.shape[1]}, n_threads=n_threads, sort_indices=sort_indices,
                        keep_zeros=keep_zeros)


def laplacian_2d_rows(m: int, r0: int, r1: int) -> sp.csr_matrix:
    """Rows r0..r1-1 of the 5-point Laplacian of an m x m grid (n = m**2): 4 on the diagonal, -1 to neighbours.

    A test and benchmark generator: each row block is made where it is used, e.g. on a worker.
    """
    rows = np.arange(r0, r1, dtype=np.int64)
    p, q = rows // m, rows % m
    parts_c, parts_v, parts_r = [rows], [np.full(rows.size, 4.0)], [rows]
    for dp, dq in ((-1, 0), (0, -1), (0, 1), (1, 0)):
        ok = (p + dp >= 0) & (p + dp < m) & (q + dq >= 0) & (q + dq < m)
        parts_r.append(rows[ok])
        parts_c.append(rows[ok] + dp * m + dq)
        parts_v.append(np.full(int(ok.sum()), -1.0))
    coo = sp.coo_matrix((np.concatenate(parts_v), (np.concatenate(parts_r) - r0, np.concatenate(parts_c))),
                        shape=(r1 - r0, m * m))
    out = coo.tocsr()
    out.sort_indices()
    return out


def laplacian_2d(m: int, rows_per_block: int):
    """The m**2 x m**2 2-D Laplacian as a dask array of CSR row blocks, each generated lazily in its task."""
    import dask
    import dask.array as da

    n = m * m
    blocks = []
    for r0 in range(0, n, rows_per_block):
        r1 = min(n, r0 + rows_per_block)
        blocks.append(da.from_delayed(dask.delayed(laplacian_2d_rows, pure=True)(m, r0, r1), shape=(r1 - r0, n),
                                      dtype=np.float64, meta=sp.csr_matrix((0, 0))))
    return da.concatenate(blocks, axis=0)
