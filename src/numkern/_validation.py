"""Argument checks shared by every subpackage (the role of scikit-learn's ``utils/validation.py``).

One rule per kind of argument, one message per rule, so that the same bad value raises the same exception type
with the same wording in every subpackage:

* a value of the wrong *type* (a float or bool where an integer is needed, a string where a number is needed,
  a complex number where a real one is needed) raises :class:`TypeError`;
* a value of the right type outside its range (``n_threads=0``, ``cg_tol=nan``, a negative size) raises
  :class:`ValueError`.

Every message names the argument.

Random state
------------
Every ``random_state`` (and ``seed``) argument accepts the same set, checked by :func:`check_random_state`:

* ``None``: the subpackage's default source (fresh OS entropy in :mod:`numkern.cluster`; numpy's global
  ``RandomState`` in :mod:`numkern.stats`, as in scipy);
* a non-negative Python or NumPy int, of any size;
* a :class:`numpy.random.SeedSequence`, a :class:`numpy.random.Generator` or a
  :class:`numpy.random.RandomState` (the module ``numpy.random`` stands for its global ``RandomState``).

bool, float, str and other types raise :class:`TypeError`; a negative int raises :class:`ValueError`. Each
subpackage keeps its own mapping from these to a random stream, so a given int gives reproducible results
within a subpackage but *not* the same stream across subpackages:

* :mod:`numkern.cluster` (:func:`seed_from`) seeds its C++ generator with one 64-bit word: an int ``n`` or a
  SeedSequence ``s`` gives ``SeedSequence(n).generate_state(1, np.uint64)[0]`` resp.
  ``s.generate_state(1, np.uint64)[0]`` (so ``n`` and ``SeedSequence(n)`` are the same seed); a Generator or
  RandomState is advanced by one draw of the seed.
* :mod:`numkern.stats` (:func:`as_numpy_random`) draws from numpy: an int below ``2**32`` seeds a legacy
  ``RandomState(n)`` (scipy's rule), a larger int or a SeedSequence a ``numpy.random.default_rng``; a
  Generator or RandomState is used as it is.
"""

from __future__ import annotations

import math
import numbers
import operator
import os

import numpy as np

__all__ = ["check_n_threads", "check_integer", "check_real", "check_bool", "as_numeric_array", "thread_cap",
           "all_cores", "available_memory", "check_allocation", "InsufficientMemoryError", "check_random_state",
           "seed_from", "as_numpy_random", "NotFittedError", "not_fitted_error", "ConvergenceWarning",
           "convergence_warning", "check_verbose", "warn_not_converged"]


def all_cores() -> int:
    """Processors this process may run on (its CPU affinity where the OS reports one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - macOS, Windows
        return max(1, os.cpu_count() or 1)


def thread_cap() -> int:
    """The most threads a numkern region starts; larger requests are capped to it.

    The same rule as ``numkern::max_num_threads`` in ``cpp/include/numkern/parallel.hpp``: four per processor,
    at least 64. Results that numkern promises to be independent of the thread count stay so under the cap.
    """
    from numkern import _core

    return int(_core.thread_cap())


def _index(value, rule: str) -> int:
    """``operator.index(value)`` with bool refused; both TypeErrors start with ``rule`` (which names the argument)."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{rule}, got the bool {value!r}")
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"{rule}, got {value!r:.80} of type {type(value).__name__}") from None


def check_integer(value, name: str, *, min_value: int | None = None, max_value: int | None = None,
                  allow_none: bool = False) -> int | None:
    """Return ``value`` as a Python int, or raise naming ``name``.

    Python and NumPy integers are accepted; bool, floats (even integral ones such as ``2.0``), strings and
    anything else without ``__index__`` raise TypeError. Values outside ``[min_value, max_value]`` raise
    ValueError.
    """
    if value is None and allow_none:
        return None
    out = _index(value, f"{name} must be an integer")
    if min_value is not None and out < min_value:
        raise ValueError(f"{name} must be >= {min_value}, got {out}")
    if max_value is not None and out > max_value:
        raise ValueError(f"{name} must be <= {max_value}, got {out}")
    return out


def check_real(value, name: str, *, finite: bool = True, positive: bool = False, nonnegative: bool = False,
               allow_none: bool = False) -> float | None:
    """Return ``value`` as a Python float, or raise naming ``name``.

    Real Python/NumPy numbers (integers included, bool excluded) are accepted; complex numbers, strings, bool,
    arrays and other objects raise TypeError. NaN (and, with ``finite``, infinities) and values outside the
    requested sign raise ValueError.
    """
    if value is None and allow_none:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r} of type {type(value).__name__}")
    out = float(value)
    if math.isnan(out) or (finite and math.isinf(out)):
        raise ValueError(f"{name} must be a finite number, got {out!r}")
    if positive and not out > 0:
        raise ValueError(f"{name} must be > 0, got {out!r}")
    if nonnegative and not out >= 0:
        raise ValueError(f"{name} must be >= 0, got {out!r}")
    return out


def check_bool(value, name: str) -> bool:
    """Return ``value`` as a Python bool, or raise TypeError naming ``name``.

    Python and NumPy bools are accepted. Anything else (0/1, strings such as ``"no"``, arrays, None) raises
    TypeError rather than being read as its truth value (``"no"`` is true; an array's truth value is an error
    that does not name the argument).
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise TypeError(f"{name} must be True or False, got {value!r} of type {type(value).__name__}")


def as_numeric_array(value, name: str, *, allow_bool: bool = False, allow_complex: bool = True, dtype=None):
    """Return ``value`` as a NumPy array of integers or real (or complex) numbers, or raise naming ``name``.

    Strings, bytes, None, datetimes and other non-numbers raise TypeError (instead of numpy's ufunc-loop errors,
    or worse a result: ``None`` cast to NaN); so do bool arrays unless ``allow_bool`` and complex ones unless
    ``allow_complex``. Object arrays are accepted when every element is a number (converted to float64, or to
    complex128 when one is complex). With ``dtype``, the checked array is cast to it (no copy if it already is).
    """
    arr = np.asarray(value)
    if arr.dtype.kind == "O":
        items = list(arr.flat)
        if all(isinstance(v, numbers.Number) and not isinstance(v, (bool, np.bool_))
               for v in items):
            arr = arr.astype(np.float64 if all(isinstance(v, numbers.Real) for v in items) else np.complex128)
    kinds = "iuf" + ("b" if allow_bool else "") + ("c" if allow_complex else "")
    if arr.dtype.kind not in kinds:
        what = f"dtype {arr.dtype}" if isinstance(value, np.ndarray) else type(value).__name__
        if arr.dtype.kind == "c":
            raise TypeError(f"{name} must be real, got {what}")
        raise TypeError(f"{name} must be a number or an array of numbers, got {value!r:.80} ({what})")
    return arr if dtype is None else arr.astype(dtype, copy=False)


_THREADS_RULE = "n_threads must be None, -1 (all cores) or a positive integer"


def check_n_threads(n_threads, name: str = "n_threads") -> int:
    """Resolve a thread-count argument the same way in every subpackage.

    * ``None``: 0, which the C++ core reads as OpenMP's default (``OMP_NUM_THREADS``, ``threadpoolctl``);
    * ``-1``: every core this process may use (joblib's and kmedoids' convention);
    * a positive integer (Python or NumPy): itself, capped at :func:`thread_cap`.

    bool, floats and other non-integers raise TypeError; 0 and values below -1 raise ValueError.
    """
    if n_threads is None:
        return 0
    rule = _THREADS_RULE.replace("n_threads", name, 1)
    n = _index(n_threads, rule)
    if n == -1:
        n = all_cores()
    elif n < 1:
        raise ValueError(f"{rule}, got {n}")
    return min(n, thread_cap())


_RANDOM_STATE_RULE = ("random_state must be None, a non-negative int, or a numpy SeedSequence, Generator or "
                      "RandomState")
_RANDOM_SOURCES = (np.random.SeedSequence, np.random.Generator, np.random.RandomState)


def check_random_state(random_state, name: str = "random_state"):
    """Check a ``random_state``/``seed`` argument against the one accepted set (see the module docstring).

    Returns ``None``, a non-negative Python int, or the SeedSequence, Generator or RandomState itself (the
    module ``numpy.random`` becomes numpy's global RandomState). Wrong types (bool, float, str, ...) raise
    TypeError and negative ints ValueError, naming ``name``. Subpackages turn the result into their stream
    with :func:`seed_from` (cluster) or :func:`as_numpy_random` (stats).
    """
    if random_state is None or isinstance(random_state, _RANDOM_SOURCES):
        return random_state
    if random_state is np.random:
        return np.random.mtrand._rand
    rule = _RANDOM_STATE_RULE.replace("random_state", name, 1)
    n = _index(random_state, rule)
    if n < 0:
        raise ValueError(f"{rule}, got {n}")
    return n


def seed_from(random_state, name: str = "random_state") -> int:
    """A 64-bit seed for a C++ generator (:mod:`numkern.cluster`'s mapping; see the module docstring)."""
    source = check_random_state(random_state, name)
    if source is None:
        return int(np.random.default_rng().integers(0, 2**63))
    if isinstance(source, np.random.Generator):
        return int(source.integers(0, 2**63))
    if isinstance(source, np.random.RandomState):
        return int(source.randint(0, 2**62, dtype=np.int64))
    if isinstance(source, int):
        source = np.random.SeedSequence(source)
    return int(source.generate_state(1, np.uint64)[0])


def as_numpy_random(random_state, name: str = "random_state"):
    """A numpy Generator or RandomState to draw from (:mod:`numkern.stats`' mapping, scipy's for ints < 2**32).

    None gives numpy's global RandomState; see the module docstring for the rest.
    """
    source = check_random_state(random_state, name)
    if source is None:
        return np.random.mtrand._rand
    if isinstance(source, int):
        return np.random.RandomState(source) if source < 2**32 else np.random.default_rng(source)
    if isinstance(source, np.random.SeedSequence):
        return np.random.default_rng(source)
    return source


class InsufficientMemoryError(MemoryError, ValueError):
    """An allocation numkern refuses before trying it: it would exceed the memory available.

    A :class:`MemoryError` (what the allocation itself would have raised) and a :class:`ValueError` (the
    arguments ask for too much), so either ``except`` clause catches it.
    """


class NotFittedError(ValueError, AttributeError):
    """Raised by an estimator's methods before ``fit`` when scikit-learn is not installed.

    With scikit-learn installed numkern raises :class:`sklearn.exceptions.NotFittedError` itself (see
    :func:`not_fitted_error`); this stand-in has the same bases, so the same ``except`` clauses catch both.
    """


def not_fitted_error(obj, fit: str = "'fit'") -> Exception:
    """The exception to raise when a method of ``obj`` needs a fitted estimator: scikit-learn's ``NotFittedError``.

    scikit-learn is an optional dependency, so it is imported here, when the error is raised, and
    :class:`NotFittedError` stands in for it without scikit-learn. ``fit`` names the method(s) that fit ``obj``.
    """
    try:
        from sklearn.exceptions import NotFittedError as cls
    except ImportError:  # pragma: no cover - exercised only without scikit-learn
        cls = NotFittedError
    return cls(f"This {type(obj).__name__} instance is not fitted yet; call {fit} first.")


class ConvergenceWarning(UserWarning):
    """Warned when an iterative fit stops at ``max_iter`` without converging, if scikit-learn is not installed.

    With scikit-learn installed numkern warns with :class:`sklearn.exceptions.ConvergenceWarning` itself (see
    :func:`convergence_warning`); this stand-in has the same base class, so the same filters catch both.
    """


def convergence_warning() -> type:
    """The warning class for a fit stopped by ``max_iter``: scikit-learn's ``ConvergenceWarning`` if installed.

    scikit-learn is optional, so it is imported here, when the warning is issued; without it
    :class:`ConvergenceWarning` stands in.
    """
    try:
        from sklearn.exceptions import ConvergenceWarning as cls
    except ImportError:  # pragma: no cover - exercised only without scikit-learn
        cls = ConvergenceWarning
    return cls


def warn_not_converged(message: str, stacklevel: int = 3) -> None:
    """Warn ``message`` with :func:`convergence_warning`'s class (``stacklevel`` 3: the caller's caller)."""
    import warnings

    warnings.warn(message, convergence_warning(), stacklevel=stacklevel)


def check_verbose(value, name: str = "verbose") -> int:
    """Return a ``verbose`` level as an int >= 0 (scikit-learn convention: 0 silent, >= 1 one line per iteration).

    bool is accepted here (``True`` is 1), unlike :func:`check_integer`; other non-integers raise TypeError,
    negative values ValueError. Every verbose fit in numkern prints its progress lines to ``sys.stdout``.
    """
    if isinstance(value, (bool, np.bool_)):
        return int(value)
    return check_integer(value, name, min_value=0)


def available_memory() -> int | None:
    """Bytes of memory available to a new allocation, or None where the OS does not say.

    Linux: ``MemAvailable`` of ``/proc/meminfo`` (free memory plus reclaimable caches); elsewhere the physical
    memory (``SC_PHYS_PAGES * SC_PAGE_SIZE``).
    """
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_PHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, OSError, ValueError):  # pragma: no cover - platforms without sysconf
        return None


def check_allocation(nbytes: int, what: str, alternative: str = "") -> None:
    """Raise :class:`InsufficientMemoryError` if ``nbytes`` exceed :func:`available_memory`.

    ``what`` says which argument asks for the memory and what for (it starts the message); ``alternative``
    (optional) says what to do instead. Nothing is raised where the available memory is unknown.
    """
    limit = available_memory()
    if limit is None or nbytes <= limit:
        return
    message = f"{what} needs {nbytes / 2**30:.1f} GiB, more than the {limit / 2**30:.1f} GiB of memory available"
    raise InsufficientMemoryError(f"{message}; {alternative}" if alternative else message)
