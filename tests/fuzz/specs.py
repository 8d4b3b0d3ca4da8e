"""Picklable recipes for hostile arguments, built inside the fuzz worker.

A NumPy array loses its memory layout when pickled (a negative-stride or read-only view arrives as a fresh
C-contiguous copy), so the parent process never sends arrays: it sends these specs, and the worker builds the
array with the requested dtype, byte order and layout just before the call. Every spec has a ``repr`` that is
Python code rebuilding the same argument, so a failure report is a reproducer.

This module imports only NumPy/SciPy (no Hypothesis): the worker imports it.
"""

from __future__ import annotations

import numpy as np

LAYOUTS = ("C", "F", "negstride", "noncontig", "readonly", "broadcast0")


class Spec:
    """Base class: ``build()`` returns the argument."""

    def build(self):  # pragma: no cover - abstract
        raise NotImplementedError


class Arr(Spec):
    """An ndarray from nested ``values`` with ``dtype`` (a string such as '>f8', 'f2', '?', 'c16', 'O') and
    ``layout``:

    * ``C``/``F``: contiguous in that order;
    * ``negstride``: a reversed view along every axis (values come out reversed);
    * ``noncontig``: every other element of a twice-as-large buffer;
    * ``readonly``: C order with ``writeable=False``;
    * ``broadcast0``: the first element broadcast (stride 0, read-only) to ``shape``.
    """

    def __init__(self, values, dtype="f8", layout="C", shape=None):
        self.values = values
        self.dtype = dtype
        self.layout = layout
        self.shape = shape

    def __repr__(self):
        extra = f", shape={self.shape!r}" if self.shape is not None else ""
        return f"Arr({self.values!r}, dtype={self.dtype!r}, layout={self.layout!r}{extra})"

    def build(self):
        dt = np.dtype(self.dtype)
        with np.errstate(all="ignore"):
            base = np.array(self.values, dtype=dt)
        if self.shape is not None:
            base = base.reshape(self.shape) if self.layout != "broadcast0" else base
        lay = self.layout
        if lay == "C":
            return np.ascontiguousarray(base)
        if lay == "F":
            return np.asfortranarray(base)
        if lay == "negstride":
            return base[(slice(None, None, -1),) * base.ndim] if base.ndim else base
        if lay == "noncontig":
            if base.ndim == 0:
                return base
            big = np.empty(base.shape[:-1] + (2 * base.shape[-1],), dtype=base.dtype)
            view = big[..., ::2]
            view[...] = base
            return view
        if lay == "readonly":
            out = np.array(base)
            out.flags.writeable = False
            return out
        if lay == "broadcast0":
            flat = base.reshape(-1)
            first = flat[:1] if flat.size else np.zeros(1, dtype=base.dtype)
            return np.broadcast_to(first.reshape(()), self.shape if self.shape is not None else base.shape)
        raise ValueError(f"unknown layout {lay!r}")


class Huge(Spec):
    """A zero-stride read-only view that declares ``shape`` (any size) over a single element: huge declared
    shape, eight bytes of data."""

    def __init__(self, shape, value=1.0, dtype="f8"):
        self.shape = tuple(shape)
        self.value = value
        self.dtype = dtype

    def __repr__(self):
        return f"Huge({self.shape!r}, value={self.value!r}, dtype={self.dtype!r})"

    def build(self):
        return np.lib.stride_tricks.as_strided(np.full(1, self.value, dtype=self.dtype), shape=self.shape,
                                               strides=(0,) * len(self.shape), writeable=False)


class CSR(Spec):
    """A scipy CSR matrix with the given raw arrays, assigned *without* validation, so ``indptr``/``indices``
    may be corrupted (out of range, decreasing, too short, wrong dtype). ``kind``: 'csr_array', 'csr_matrix',
    'coo' (converted from a valid CSR), 'dense' (``toarray()`` of a valid CSR) or 'list' (nested lists)."""

    def __init__(self, shape, indptr, indices, data, kind="csr_array", index_dtype="i4", data_dtype="f8"):
        self.shape = tuple(shape)
        self.indptr = indptr
        self.indices = indices
        self.data = data
        self.kind = kind
        self.index_dtype = index_dtype
        self.data_dtype = data_dtype

    def __repr__(self):
        return (f"CSR({self.shape!r}, indptr={self.indptr!r}, indices={self.indices!r}, data={self.data!r}, "
                f"kind={self.kind!r}, index_dtype={self.index_dtype!r}, data_dtype={self.data_dtype!r})")

    def build(self):
        import scipy.sparse as sp

        cls = sp.csr_matrix if self.kind == "csr_matrix" else sp.csr_array
        m = cls((1, 1))
        m._shape = self.shape  # scipy's own attribute: bypasses the shape check on purpose
        m.indptr = np.asarray(self.indptr, dtype=self.index_dtype)
        m.indices = np.asarray(self.indices, dtype=self.index_dtype)
        with np.errstate(all="ignore"):
            m.data = np.asarray(self.data, dtype=self.data_dtype)
        if self.kind == "coo":
            return m.tocoo()
        if self.kind == "dense":
            return m.toarray()
        if self.kind == "list":
            return m.toarray().tolist()
        return m

    def is_valid(self) -> bool:
        """Whether the structure is a well-formed CSR matrix (then results can be compared with scipy)."""
        n, m = self.shape
        p, j = np.asarray(self.indptr, dtype=np.int64), np.asarray(self.indices, dtype=np.int64)
        if n < 0 or m < 0 or p.ndim != 1 or p.size != n + 1 or p[0] != 0 or np.any(np.diff(p) < 0):
            return False
        if p[-1] != j.size or np.size(self.data) != j.size:
            return False
        return bool(np.all((j >= 0) & (j < m)))


class Call(Spec):
    """A callable built in the worker: 'raise' (raises ValueError), 'nan', 'inf', 'const', 'sin',
    'wrong_shape', 'sleep' (hangs for a while), 'crash_type' (returns a string)."""

    def __init__(self, kind):
        self.kind = kind

    def __repr__(self):
        return f"Call({self.kind!r})"

    def build(self):
        k = self.kind
        if k == "raise":
            def f(*a):
                raise ValueError("user callable failed on purpose")
        elif k == "nan":
            def f(*a):
                return np.full(np.broadcast(*a).shape, np.nan) if a else np.nan
        elif k == "inf":
            def f(*a):
                return np.full(np.broadcast(*a).shape, np.inf) if a else np.inf
        elif k == "const":
            def f(*a):
                return np.zeros(np.broadcast(*a).shape) if a else 0.0
        elif k == "sin":
            def f(*a):
                return np.sin(a[0]) * (1.0 + 0 * np.broadcast_arrays(*a)[0]) if a else 0.0
        elif k == "wrong_shape":
            def f(*a):
                return np.zeros(3)
        elif k == "string":
            def f(*a):
                return "not a number"
        else:
            raise ValueError(f"unknown callable kind {k!r}")
        return f


class Obj(Spec):
    """An odd object: 'object' (a bare object()), 'str', 'dict', 'gen' (a generator), 'nested'."""

    def __init__(self, kind):
        self.kind = kind

    def __repr__(self):
        return f"Obj({self.kind!r})"

    def build(self):
        return {"object": object(), "str": "abc", "dict": {"a": 1}, "gen": (i for i in range(3)),
                "nested": [[1, [2]], [3]], "bytes": b"\x00\x01", "set": {1, 2}}[self.kind]


def materialize(x):
    """Build every Spec inside lists, tuples and dicts."""
    if isinstance(x, Spec):
        return x.build()
    if isinstance(x, list):
        return [materialize(v) for v in x]
    if isinstance(x, tuple):
        return tuple(materialize(v) for v in x)
    if isinstance(x, dict):
        return {k: materialize(v) for k, v in x.items()}
    return x

