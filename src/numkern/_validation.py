"""Argument checks shared by every subpackage (the role of scikit-learn's ``utils/validation.py``).

One rule per kind of argument, one message per rule, so that the same bad value raises the same exception type
with the same wording in every subpackage:

* a value of the wrong *type* (a float or bool where an integer is needed, a string where a number is needed,
  a complex number where a real one is needed) raises :class:`TypeError`;
* a value of the right type outside its range (``n_threads=0``, ``cg_tol=nan``, a negative size) raises
  :class:`ValueError`.

Every message names the argument.
"""

from __future__ import annotations

import math
import numbers
import operator
import os

import numpy as np

__all__ = ["check_n_threads", "check_integer", "check_real", "check_bool", "as_numeric_array", "thread_cap",
           "all_cores", "available_memory", "check_allocation", "InsufficientMemoryError", "NotFittedError",
           "not_fitted_error"]


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


def check_integer(value, name: str, *, min_value: int | None = None, max_value: int | None = None,
                  allow_none: bool = False) -> int | None:
    """Return ``value`` as a Python int, or raise naming ``name``.

    Python and NumPy integers are accepted; bool, floats (even integral ones such as ``2.0``), strings and
    anything else without ``__index__`` raise TypeError. Values outside ``[min_value, max_value]`` raise
    ValueError.
    """
    if value is None and allow_none:
        return None
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be an integer, got the bool {value!r}")
    try:
        out = operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be an integer, got {value!r} of type {type(value).__name__}") from None
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
    if isinstance(n_threads, (bool, np.bool_)):
        raise TypeError(f"{rule}, got {n_threads!r}")
    try:
        n = operator.index(n_threads)
    except TypeError:
        raise TypeError(f"{rule}, got {n_threads!r} of type {type(n_threads).__name__}") from None
    if n == -1:
        n = all_cores()
    elif n < 1:
        raise ValueError(f"{rule}, got {n}")
    return min(n, thread_cap())


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
