"""Checks shared by numkern's Dask implementations (imported only once a dask array has reached numkern).

The rules, the same in every domain:

* A dask array is never computed into one NumPy array in the client: a function that cannot be distributed
  raises (naming the alternative) instead.
* Unknown chunk sizes (NaN, e.g. after boolean indexing) are refused with a message that says how to get them
  (``x.compute_chunk_sizes()``): the distributed rules need the chunk boundaries to line up their pieces.
* Chunks must be dense NumPy arrays of numbers where the computation is dense (sparse, masked, CuPy or object
  chunks raise TypeError naming the argument).
* A small NumPy operand beside a dask array (weights of the rows, 1-D sample points ``x``) is accepted and
  split into the dask array's chunks; a large dask operand beside a NumPy one that is the data is refused.
"""

from __future__ import annotations

import math

import numpy as np


def require_known_chunks(x, name: str) -> None:
    """ValueError when any chunk size of the dask array ``x`` is unknown (NaN)."""
    if any(math.isnan(c) for dim in x.chunks for c in dim):
        raise ValueError(
            f"{name}: the dask array has unknown chunk sizes (NaN, e.g. after boolean indexing); numkern needs "
            f"them to line up the pieces of the computation: call {name}.compute_chunk_sizes() first")


def require_dense(x, name: str, *, kinds: str = "biuf") -> None:
    """TypeError unless the chunks of the dask array ``x`` are NumPy arrays whose dtype kind is in ``kinds``."""
    meta = getattr(x, "_meta", None)
    if meta is not None and (type(meta) is not np.ndarray):
        raise TypeError(
            f"{name}: the dask array's chunks are {type(meta).__module__}.{type(meta).__name__}, but this "
            f"computation needs dense NumPy chunks (use {name}.map_blocks(lambda b: b.toarray()) for sparse "
            f"chunks, or pass the matching numkern function for that format)")
    if x.dtype.kind not in kinds:
        raise TypeError(f"{name}: dtype {x.dtype} is not supported on dask arrays (need one of kinds "
                        f"{', '.join(sorted(kinds))}: bool, integer, real floating)")


def block_bounds(chunks) -> np.ndarray:
    """Start offsets of the chunks along one axis, with the total length appended."""
    return np.concatenate([[0], np.cumsum(np.asarray(chunks, dtype=np.int64))]).astype(np.int64)


def rows_like(v, x, name: str, *, ndim: int = 1):
    """``v`` (a NumPy or dask array with one entry per row of ``x``) as a dask array chunked like ``x``'s rows."""
    import dask.array as da

    if isinstance(v, da.Array):
        require_known_chunks(v, name)
        if v.ndim != ndim or v.shape[0] != x.shape[0]:
            raise ValueError(f"{name}: must have {x.shape[0]} rows to match the data, got shape {v.shape}")
        return v.rechunk({0: x.chunks[0]})
    arr = np.asarray(v)
    if arr.ndim != ndim or arr.shape[0] != x.shape[0]:
        raise ValueError(f"{name}: must have {x.shape[0]} rows to match the data, got shape {arr.shape}")
    return da.from_array(arr, chunks=(x.chunks[0],) + tuple((s,) for s in arr.shape[1:]))
