"""Hypothesis strategies and a fixed corpus of hostile arguments, per argument kind (see ``targets.P.kind``).

Every value is a picklable spec (``specs.py``) or a plain Python value, so that a case crosses to the worker
with its dtype, byte order and memory layout intact.

* ``hostile(kind)``: a strategy mixing near-valid values (right shape, extreme numbers) with wrong ones;
* ``corpus(kind)``: a fixed list of hostile values for the kind (the deterministic part of every run);
* ``cases(target)``: a strategy for the whole keyword dictionary of a target, each argument taken from its
  valid value most of the time and from ``hostile`` otherwise; some targets have joint strategies whose
  arguments must agree in shape (k-medoids, SpGEMM).
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from specs import CSR, LAYOUTS, Arr, Call, Huge, Obj

EXTREME = [0.0, -0.0, 1.0, -1.0, 1e-300, -1e-300, 5e-324, 1e300, -1e300, 1.7976931348623157e308, -1.7976931348623157e308,
           np.inf, -np.inf, np.nan, 2.0 ** 53, 0.5, 1e-8, 700.0, 1e6]
DTYPES = ["f8", ">f8", "f4", ">f4", "f2", "i8", ">i4", "i1", "u1", "u8", "?", "c16", ">c8", "O"]

# ------------------------------------------------------------------------------------------------ elements
reals = st.one_of(st.sampled_from(EXTREME), st.floats(allow_nan=True, allow_infinity=True),
                  st.floats(-10, 10))
bad_scalars = st.sampled_from([None, "abc", "", True, False, 1 + 2j, [], [1.0, 2.0], {"a": 1}, b"x", np.nan, np.inf,
                               -np.inf, -1.0, 0.0, 1e308, -1e308, 2 ** 63, -(2 ** 63), 2 ** 64, 10 ** 30,
                               np.float16(3.0), np.int8(-1), np.uint64(2 ** 64 - 1), np.complex128(1j),
                               np.bool_(True)])
bad_objects = st.builds(Obj, st.sampled_from(["object", "str", "dict", "gen", "nested", "bytes", "set"]))


@st.composite
def arrays(draw, shape=None, dtype=None, layout=None, elements=reals):
    """An Arr spec: given or drawn shape (0- and 1-sized dimensions included), dtype and layout."""
    if shape is None:
        shape = tuple(draw(st.lists(st.sampled_from([0, 1, 1, 2, 3, 5]), min_size=0, max_size=3)))
    dt = dtype if dtype is not None else draw(st.sampled_from(DTYPES))
    lay = layout if layout is not None else draw(st.sampled_from(LAYOUTS))
    n = int(np.prod(shape)) if shape else 1
    vals = draw(st.lists(elements, min_size=n, max_size=n))
    if dt in ("?",):
        vals = [bool(v) if v == v else True for v in vals]
    elif dt[-2:] in ("i8", "i4", "i1", "u1", "u8"):
        vals = [int(max(-100, min(100, v))) if np.isfinite(v) else 7 for v in vals]
        if dt.endswith(("u1", "u8")):
            vals = [abs(v) for v in vals]
    nested = np.array(vals, dtype=object).reshape(shape).tolist() if shape else vals[0]
    return Arr(nested, dtype=dt, layout=lay)


huge = st.sampled_from([Huge((2 ** 40,)), Huge((10 ** 9, 1)), Huge((1, 2 ** 40)), Huge((2 ** 20, 2 ** 20)),
                        Huge((3, 2 ** 33), 0.5), Huge((2 ** 59,)), Huge((0, 2 ** 40))])


def _hostile_array(valid):
    """Same shape as the valid value but extreme contents / other dtype or layout, or any shape at all."""
    shape = np.shape(valid.values) if isinstance(valid, Arr) else None
    near = arrays(shape=shape) if shape is not None else arrays()
    return st.one_of(near, near, arrays(), huge, bad_scalars, bad_objects,
                     st.builds(lambda a: Arr(a.values, "f8", "C"), arrays(shape=shape, dtype="f8")))


def _int_like(lo=-3, hi=12):
    return st.one_of(st.integers(lo, hi), bad_scalars, st.sampled_from([0, -1, -2, 2 ** 31, 2 ** 31 - 1, 2 ** 63 - 1,
                                                                        10 ** 12, 1.0, 2.5, np.int64(3)]))


n_threads = st.one_of(st.sampled_from([None, -1, 1, 2, 3, 64, 10 ** 6, 2 ** 31, 2 ** 63 - 1]),
                      st.sampled_from([0, -2, -(2 ** 63), 2 ** 64, 1.0, 2.5, True, "2", np.int32(2), np.uint8(255)]),
                      st.integers(-5, 300))
seeds = st.one_of(st.sampled_from([None, 0, 1, 2 ** 32 - 1, 2 ** 63 - 1]), st.integers(0, 2 ** 32),
                  st.sampled_from([-1, 2 ** 64, 1.5, "seed", np.nan]))


# --------------------------------------------------------------------------------------------- csr strategies
@st.composite
def csr(draw, nrows=None, ncols=None, corrupt=None):
    """A CSR spec, valid or with one structural corruption."""
    n = nrows if nrows is not None else draw(st.integers(0, 5))
    m = ncols if ncols is not None else draw(st.integers(0, 5))
    rows = [sorted(draw(st.sets(st.integers(0, max(m - 1, 0)), max_size=m))) if m else [] for _ in range(n)]
    indptr = [0]
    for r in rows:
        indptr.append(indptr[-1] + len(r))
    indices = [j for r in rows for j in r]
    data = draw(st.lists(st.one_of(st.floats(-10, 10), st.sampled_from(EXTREME)), min_size=len(indices),
                         max_size=len(indices)))
    kind = draw(st.sampled_from(["csr_array", "csr_array", "csr_matrix", "coo", "dense"]))
    idt = draw(st.sampled_from(["i4", "i8", "i4", ">i4", "u4", "i2"]))
    ddt = draw(st.sampled_from(["f8", "f8", "f4", ">f8", "i8", "c16", "?", "f2"]))
    if corrupt is None:
        corrupt = draw(st.sampled_from([None, None, None, "index_high", "index_neg", "indptr_dec", "indptr_short",
                                        "indptr_end", "data_short", "huge_shape", "shape_neg", "unsorted"]))
    if corrupt and kind in ("coo", "dense"):
        kind = "csr_array"
    if corrupt == "index_high" and indices:
        indices[-1] = m + draw(st.sampled_from([0, 1, 2 ** 30]))
    elif corrupt == "index_neg" and indices:
        indices[0] = -draw(st.sampled_from([1, 2 ** 31 - 1]))
    elif corrupt == "indptr_dec" and n >= 1:
        indptr[1] = indptr[-1] + 3
    elif corrupt == "indptr_short":
        indptr = indptr[:-1]
    elif corrupt == "indptr_end":
        indptr[-1] += draw(st.sampled_from([1, 1000, 2 ** 30]))
    elif corrupt == "data_short":
        data = data[:-1] if data else []
        indices = indices + [0] if not indices and m else indices
    elif corrupt == "huge_shape":
        n2, m2 = draw(st.sampled_from([(2 ** 31, 3), (3, 2 ** 31), (2 ** 40, 2 ** 40), (2 ** 62, 2)]))
        n, m = n2, m2  # declared rows without data: indptr too short on purpose
        idt = "i8"
    elif corrupt == "shape_neg":
        n = -1
    elif corrupt == "unsorted" and len(indices) >= 2:
        indices[0], indices[1] = indices[1], indices[0]
    return CSR((n, m), indptr, indices, data, kind=kind, index_dtype=idt, data_dtype=ddt)


# ------------------------------------------------------------------------------------------------ per kind
def hostile(kind, valid=None, choices=()):
    if kind in ("array", "matrix", "vector", "diss", "weights", "array_or_none", "matrix_or_none"):
        base = _hostile_array(valid if isinstance(valid, Arr) else Arr([[1.0, 2.0], [3.0, 4.0]]))
        return st.one_of(base, st.just(None)) if kind.endswith(("none", "weights")) else base
    if kind in ("real", "real_or_none"):
        return st.one_of(reals, bad_scalars, st.builds(lambda a: a, arrays(shape=(2,))))
    if kind == "count":  # a loop count run in Python: huge values are valid, just slow
        return st.one_of(st.integers(-3, 12), bad_scalars.filter(lambda v: not (isinstance(v, int) and v > 10 ** 6)))
    if kind in ("int", "int_or_none", "k", "size"):
        extra = [arrays(shape=(2,), dtype="i8"), st.just((2, 2)), st.just((0,)), st.just((2 ** 40,))]
        return st.one_of(_int_like(), *extra)
    if kind == "axis":
        return st.one_of(st.integers(-4, 4), st.sampled_from([2 ** 63, -(2 ** 63), 1.0, None, (0, 1), "0", True]))
    if kind == "n_threads":
        return n_threads
    if kind == "seed":
        return seeds
    if kind in ("choice", "choice_or_none", "metric"):
        opts = list(choices) + ["", "EUCLIDEAN", "nonsense", "matern5", "matern2", "matern" + "9" * 30]
        return st.one_of(st.sampled_from(opts), bad_scalars, st.builds(Call, st.sampled_from(["raise", "nan",
                                                                                              "string", "const"])))
    if kind == "bool":
        return st.one_of(st.booleans(), st.sampled_from([None, 0, 1, 2, "yes", np.bool_(True), np.nan, [True]]))
    if kind == "csr":
        return st.one_of(csr(), csr(), bad_scalars, bad_objects, arrays(shape=(3, 4)), huge)
    if kind == "init":
        return st.one_of(st.sampled_from([None, "build", "random", "k-medoids++", "lab", "first", "nonsense", 3]),
                         arrays(shape=(2,), dtype="i8"), st.just(Arr([0, 0], "i8")), st.just(Arr([-1, 9], "i8")),
                         st.just(Arr([2 ** 40, 1], "i8")), st.just(Arr([0.0, 1.0], "f8")))
    if kind == "bounds":
        return st.one_of(st.just(None), st.tuples(reals, reals), bad_scalars, st.just((0.0, 1.0, 2.0)))
    if kind == "factors":
        fac = st.one_of(arrays(shape=(2, 2)), arrays(shape=(3, 3), dtype="f8"), arrays(), huge, bad_scalars)
        return st.one_of(st.lists(fac, min_size=0, max_size=3), bad_scalars,
                         st.just([Arr([[1.0, 0.0], [0.0, 1.0]])] * 40))
    if kind == "grids":
        g = st.one_of(arrays(shape=(5,), dtype="f8"), arrays(shape=(3,), dtype="f8"), arrays(), bad_scalars)
        return st.one_of(st.lists(g, min_size=0, max_size=3), bad_scalars)
    if kind == "callable":
        return st.one_of(st.builds(Call, st.sampled_from(["raise", "nan", "inf", "const", "sin", "wrong_shape",
                                                          "string"])), bad_scalars, reals)
    if kind == "domain":
        iv = st.tuples(reals, reals)
        return st.one_of(st.lists(iv, min_size=0, max_size=4), bad_scalars, st.just([(0.0, 1.0, 2.0)]),
                         st.just([(1.0, 0.0)]), st.just([(0.0, np.inf)]))
    if kind == "terms":
        key = st.one_of(st.tuples(st.integers(-1, 4)), st.tuples(st.integers(0, 3), st.integers(0, 3)),
                        st.sampled_from(["u", (2.5,), ()]))
        return st.one_of(st.dictionaries(key, reals, max_size=3), bad_scalars)
    if kind == "solver":
        return st.one_of(bad_scalars, bad_objects)
    if kind == "none_only":
        return st.just(None)
    raise KeyError(f"no hostile strategy for kind {kind!r}")


def corpus(kind, valid=None, choices=()):
    """Fixed hostile values for one argument (a deterministic, shrink-free core of every run)."""
    shape = np.shape(valid.values) if isinstance(valid, Arr) else (2, 2)
    if kind in ("array", "matrix", "vector", "diss", "weights", "array_or_none", "matrix_or_none"):
        vals = valid.values if isinstance(valid, Arr) else [[1.0, 2.0], [3.0, 4.0]]
        out = [Arr(vals, dt, lay) for dt, lay in (("f8", "F"), ("f8", "negstride"), ("f8", "noncontig"),
                                                  ("f8", "readonly"), (">f8", "C"), ("f4", "C"), ("f2", "C"),
                                                  ("c16", "C"), ("O", "C"), ("?", "C"), ("i8", "C"))]
        for special in (np.nan, np.inf, -np.inf, 1e308, -1e308, 1e-300, 5e-324, 0.0, -1.0):
            out.append(Arr(np.full(shape, special).tolist(), "f8"))
        out += [Arr([], "f8"), Arr(np.zeros((0,) + tuple(shape[1:])).tolist(), "f8", shape=(0,) + tuple(shape[1:])),
                Arr(1.0, "f8"), Arr(np.ones(tuple(shape) + (1,)).tolist(), "f8"), Arr(np.ones(shape).tolist(), "f8",
                                                                                         "broadcast0"),
                Huge((2 ** 40,)), Huge((2 ** 20, 2 ** 20)), None, "abc", Obj("object"), Obj("nested"), [], 3.0]
        if kind == "diss":  # sums of entries overflow: the k-medoids loss and swap gains must not
            rng = np.random.default_rng(0)
            for n, top in ((5, 1.7976931348623157e308), (20, 1e308), (20, 1e300), (12, 1e-310)):
                D = rng.uniform(0.5, 1.0, (n, n))
                D = (D + D.T) / 2 * top
                np.fill_diagonal(D, 0.0)
                out.append(Arr(D.tolist(), "f8"))
        return out
    if kind in ("real", "real_or_none"):
        return [np.nan, np.inf, -np.inf, 1e308, -1e308, 1e-300, 5e-324, 0.0, -1.0, -0.0, 1e5, 1e7, None, "1.0", 1 + 0j, True,
                Arr([1.0, 2.0]), np.float16(2.0), np.float32(np.nan), 2 ** 64, 10 ** 400]
    if kind == "count":
        return [0, -1, -(2 ** 63), 1.0, 2.5, np.nan, True, None, "2", np.int8(-1)]
    if kind in ("int", "int_or_none", "k", "size"):
        return [0, -1, -2, 2 ** 31, 2 ** 63 - 1, 2 ** 63, 2 ** 64, -(2 ** 63), 10 ** 30, 1.0, 2.5, np.nan, True, None,
                "2", np.int8(-1), np.uint64(2 ** 64 - 1), Arr([2, 3], "i8"), (2, 2), (0,), (2 ** 40,)]
    if kind == "axis":
        return [2, -3, 2 ** 63, 1.0, None, "0", True, (0, 1)]
    if kind == "n_threads":
        return [0, -2, 2 ** 31, 2 ** 63 - 1, 2 ** 64, -(2 ** 63), 1.0, True, "2", np.uint8(255), np.int64(10 ** 12)]
    if kind == "seed":
        return [-1, 2 ** 64, 1.5, "seed", np.nan]
    if kind in ("choice", "choice_or_none", "metric"):
        return ["", "nonsense", None, 1, Call("raise"), Call("nan"), Call("string"), b"euclidean",
                str(choices[0]).upper() if choices else "X"]
    if kind == "bool":
        return [None, 2, "yes", np.nan, [True]]
    if kind == "csr":
        out = []
        for corrupt in ("index_high", "index_neg", "indptr_dec", "indptr_short", "indptr_end", "data_short",
                        "huge_shape", "shape_neg", "unsorted"):
            out.append(_fixed_corrupt(valid, corrupt))
        out += [None, "abc", Arr([[1.0, 0.0], [0.0, 1.0]]), Huge((2 ** 20, 2 ** 20)),
                CSR(valid.shape, valid.indptr, valid.indices, valid.data, data_dtype="c16"),
                CSR(valid.shape, valid.indptr, valid.indices, valid.data, data_dtype="?"),
                CSR(valid.shape, valid.indptr, valid.indices, valid.data, data_dtype=">f8", index_dtype=">i4"),
                CSR(valid.shape, valid.indptr, valid.indices, valid.data, data_dtype="O"),
                CSR(valid.shape, valid.indptr, valid.indices, [np.nan] * len(valid.data)),
                CSR(valid.shape, valid.indptr, valid.indices, [1e308] * len(valid.data)),
                CSR((0, 0), [0], [], [])]
        return out
    if kind == "init":
        return ["nonsense", 3, Arr([0, 0], "i8"), Arr([-1, 1], "i8"), Arr([2 ** 40, 1], "i8"), Arr([0.0, 1.0], "f8"),
                Arr([0, 1, 2, 3, 4, 0], "i8")]
    if kind == "bounds":
        return [(np.nan, 1.0), (0.0, np.inf), (5.0, -5.0), (1e308, -1e308), "ab", (0.0,), 3.0]
    if kind == "factors":
        return [[], [Arr([[1.0, 2.0, 3.0]])], [Arr([[np.nan, 0.0], [0.0, 1.0]]), Arr([[1.0]])],
                [Arr([1.0, 2.0])], [Huge((2 ** 20, 2 ** 20))], [Arr([[1.0, 0.0], [0.0, 1.0]], "c16")],
                [Arr([[1.0, 0.0], [0.0, 1.0]], "O")], [Arr([[1.0, 0.0], [0.0, 1.0]])] * 64, None, "abc",
                [Arr(np.zeros((0, 0)).tolist(), shape=(0, 0))]]
    if kind == "grids":
        return [[], [Arr([0.0, 1.0])], [Arr([0.0, 0.0, 0.0, 0.0, 0.0]), Arr([0.0, 0.5, 1.0])],
                [Arr([np.nan] * 5), Arr([0.0, 0.5, 1.0])], None, "abc"]
    if kind == "callable":
        return [Call(k) for k in ("raise", "nan", "inf", "wrong_shape", "string")] + [None, "abc"]
    if kind == "domain":
        return [[], [(0.0, 1.0)] * 4, [(1.0, 0.0)], [(0.0, np.inf)], [(np.nan, 1.0)], [(0.0, 1.0, 2.0)], None,
                "ab", [(1e308, -1e308)]]
    if kind == "terms":
        return [{}, {(3,): 1.0}, {(-1,): 1.0}, {(2, 0): 1.0}, {(2,): np.nan}, {(2,): np.inf}, {"u": 1.0},
                {(2.5,): 1.0}, None, [(2,)]]
    if kind == "solver":
        return [None, "abc", Obj("object"), 3]
    if kind == "none_only":
        return []
    raise KeyError(f"no corpus for kind {kind!r}")


def _fixed_corrupt(valid, corrupt):
    p, j, d = list(valid.indptr), list(valid.indices), list(valid.data)
    n, m = valid.shape
    if corrupt == "index_high":
        j[-1] = m
    elif corrupt == "index_neg":
        j[0] = -1
    elif corrupt == "indptr_dec":
        p[1] = p[-1] + 3
    elif corrupt == "indptr_short":
        p = p[:-1]
    elif corrupt == "indptr_end":
        p[-1] += 2 ** 30
    elif corrupt == "data_short":
        d = d[:-1]
    elif corrupt == "huge_shape":
        return CSR((2 ** 40, 2 ** 40), p, j, d, index_dtype="i8")
    elif corrupt == "shape_neg":
        return CSR((-1, m), p, j, d)
    elif corrupt == "unsorted":
        j = [j[1], j[0]] + j[2:]
        p = [0, 2] + [max(x, 2) for x in p[2:]]
    return CSR((n, m), p, j, d)


# ------------------------------------------------------------------------------------------- joint strategies
@st.composite
def _kmedoids_case(draw, target):
    """A dissimilarity matrix and k that agree in size, with extreme entries (1e308 sums overflow), plus the
    target's other arguments drawn as usual."""
    n = draw(st.integers(1, 7))
    fill = draw(st.sampled_from(["random", "huge", "tiny", "dup", "nan", "int", "neg"]))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 16)))
    pts = rng.normal(size=(n, 2))
    D = np.sqrt(((pts[:, None] - pts[None]) ** 2).sum(-1))
    if fill == "huge":
        D = D / max(D.max(), 1e-300) * draw(st.sampled_from([1e300, 1.7976931348623157e308, 1e154]))
    elif fill == "tiny":
        D = D * 1e-310
    elif fill == "dup":
        D = np.zeros((n, n))
    elif fill == "nan" and n > 1:
        D[0, 1] = draw(st.sampled_from([np.nan, np.inf, -1.0]))
    elif fill == "neg":
        D = -D
    dt = "i8" if fill == "int" else draw(st.sampled_from(["f8", "f8", "f4", ">f8"]))
    lay = draw(st.sampled_from(["C", "C", "F", "negstride", "readonly", "noncontig"]))
    kw = draw(_generic_case(target))
    kw["X"] = Arr(np.round(D * (10 if fill == "int" else 1)).tolist() if fill == "int" else D.tolist(), dt, lay)
    kw["medoids"] = draw(st.one_of(st.integers(1, n), st.integers(1, n), hostile("k")))
    if kw.get("sample_weight") is not None and isinstance(kw["sample_weight"], Arr):
        kw["sample_weight"] = draw(arrays(shape=(n,), dtype=draw(st.sampled_from(["f8", "i8", "f4"])),
                                          elements=st.one_of(st.floats(0, 10), st.sampled_from(EXTREME))))
    return kw


@st.composite
def _spgemm_case(draw, target):
    kw = draw(_generic_case(target))
    n, k, m = draw(st.integers(0, 5)), draw(st.integers(0, 5)), draw(st.integers(0, 5))
    kw["A"] = draw(st.one_of(csr(n, k, corrupt=None), csr(n, k)))
    kw["B"] = draw(st.one_of(csr(k, m, corrupt=None), csr(k, m), csr()))
    if "mask" in kw:
        kw["mask"] = draw(st.one_of(csr(n, m, corrupt=None), csr(n, m), csr()))
    return kw


def _generic_case(target, p_hostile=0.3):
    parts = {}
    for p in target.params:
        parts[p.name] = st.one_of(st.just(p.valid), hostile(p.kind, p.valid, p.choices)) if p_hostile else \
            st.just(p.valid)
    # one_of picks its first branch (the valid value) as the simplest: most arguments stay valid
    return st.fixed_dictionaries(parts)


JOINT = {"kmedoids": _kmedoids_case, "spgemm": _spgemm_case}


def cases(target):
    if target.strategy:
        return JOINT[target.strategy](target)
    return _generic_case(target)


def corpus_cases(target):
    """One hostile argument at a time, the others valid: the fixed corpus for ``target``."""
    out = []
    for p in target.params:
        for value in corpus(p.kind, p.valid, p.choices):
            kw = target.valid_kwargs()
            kw[p.name] = value
            out.append(kw)
    return out
