"""Run fuzz cases in a separate worker process and classify what happened.

The parent (pytest or ``tools/fuzz_report.py``) keeps one persistent worker, ``python harness.py``, and sends it
pickled ``(target name, kwargs of specs)`` frames over a pipe. The worker builds the arguments (``specs.py``),
calls the target (``targets.py``), checks a returned value against the target's documented invariants, and
answers with an :class:`Outcome`. A worker that dies (a signal: segfault, abort, an AddressSanitizer report)
is a CRASH and one that does not answer within the timeout is a HANG; either way the parent starts a new one.

Outcome kinds:

* ``clear``: an exception of a documented type (TypeError, ValueError, MemoryError, OverflowError,
  NotImplementedError and their subclasses) whose message is not one of the known-vague shapes;
* ``value``: a returned value that passed the target's invariant check (the "documented value" class);
* ``wrong``: a returned value that violated an invariant (silent wrong result);
* ``vague``: any other exception (IndexError, ZeroDivisionError, AttributeError, a pybind11 "incompatible
  function arguments", NumPy's "truth value of an array", internal C++ messages, ...);
* ``crash`` / ``hang``: the worker died / did not answer;
* ``skip``: NumPy/SciPy could not build the arguments (the case never reached numkern; not counted).

``clear``/``value`` pass; the others fail a fuzz test with a reproducer.
"""

from __future__ import annotations

import os
import pickle
import re
import select
import signal
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
GOOD = ("clear", "value", "skip")  # skip: a spec NumPy/SciPy cannot build
KINDS = ("clear", "value", "wrong", "vague", "crash", "hang")

CLEAR_TYPES = (TypeError, ValueError, MemoryError, OverflowError, NotImplementedError)

# Exception messages that do not tell the caller which argument is wrong, or that leak implementation details.
VAGUE_PATTERNS = [
    r"incompatible function arguments",  # pybind11 overload resolution
    r"Unable to cast", r"Unable to convert function return value",
    r"truth value of an array",
    r"object of type .* has no len", r"object is not (subscriptable|iterable|callable)",
    r"unsupported operand type", r"not supported between instances of",
    r"can't multiply sequence", r"unhashable type",
    r"invalid literal for int\(\)",
    r"cannot convert float (NaN|infinity) to integer",
    r"Python int too large to convert", r"int too big to convert",
    r"math domain error", r"division by zero",
    r"index -?\d+ is out of bounds", r"list index out of range", r"tuple index out of range",
    r"zero-size array to reduction operation",
    r"cannot reshape array of size",
    r"Buffer dtype mismatch", r"Buffer has wrong number of dimensions", r"ndarray is not C-contiguous",
    r"std::", r"vector::", r"basic_string", r"bad_alloc", r"bad_array_new_length",
    r"^\s*$",
]
# NumPy's own messages for an array_like it cannot convert (a ragged nested list, a string where numbers are
# needed) are accepted everywhere: every NumPy/SciPy function taking array_like raises them.
# Messages NumPy gives for ufunc misuse: documented behaviour of any ufunc, so clear for ufunc targets only.
UFUNC_PATTERNS = [r"operands could not be broadcast", r"not supported for the input types", r"Cannot cast ufunc",
                  r"could not be coerced", r"output array is read-only", r"cannot cast"]
_VAGUE_RE = re.compile("|".join(VAGUE_PATTERNS))
_UFUNC_RE = re.compile("|".join(UFUNC_PATTERNS), re.IGNORECASE)


@dataclass
class Outcome:
    kind: str
    detail: str = ""
    exc_type: str = ""
    names_arg: bool = False
    seconds: float = 0.0
    stderr: str = field(default="", repr=False)

    @property
    def ok(self) -> bool:
        return self.kind in GOOD


def classify_exception(exc: BaseException, param_names, ufunc: bool = False) -> Outcome:
    msg = str(exc)
    tname = type(exc).__name__
    names = any(re.search(rf"(?<![A-Za-z0-9_]){re.escape(p)}(?![A-Za-z0-9_])", msg) for p in param_names)
    detail = f"{tname}: {msg[:500]}"
    if isinstance(exc, CLEAR_TYPES):
        if ufunc and _UFUNC_RE.search(msg):
            return Outcome("clear", detail, tname, names)
        if not _VAGUE_RE.search(msg) and not (_UFUNC_RE.search(msg) and not names):
            return Outcome("clear", detail, tname, names)
    return Outcome("vague", detail, tname, names)


# ------------------------------------------------------------------------------------------------ worker side
def _read_frame(stream):
    head = stream.read(4)
    if len(head) < 4:
        return None
    (n,) = struct.unpack("<I", head)
    return pickle.loads(stream.read(n))


def _write_frame(stream, obj) -> None:
    data = pickle.dumps(obj)
    stream.write(struct.pack("<I", len(data)) + data)
    stream.flush()


def _limit_memory() -> None:
    """Cap the worker's address space so that a huge allocation is a MemoryError, not the OOM killer. Skipped
    under AddressSanitizer, which reserves terabytes of shadow memory (there ASAN_OPTIONS
    allocator_may_return_null=1 turns a huge request into a failed allocation instead)."""
    if "asan" in os.environ.get("LD_PRELOAD", ""):
        return
    import resource

    gib = float(os.environ.get("NUMKERN_FUZZ_MEMORY_GIB", "6"))
    lim = int(gib * (1 << 30))
    resource.setrlimit(resource.RLIMIT_AS, (lim, lim))


def serve() -> None:  # pragma: no cover - runs in the worker
    import io
    import warnings

    proto_out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything the library prints goes to stderr, never into the protocol
    sys.stdout = io.TextIOWrapper(os.fdopen(1, "wb", closefd=False), write_through=True)
    proto_in = os.fdopen(os.dup(0), "rb")
    sys.path.insert(0, str(HERE))
    _limit_memory()
    warnings.simplefilter("ignore")
    import numpy as np

    np.seterr(all="ignore")
    from specs import materialize
    from targets import TARGETS

    _write_frame(proto_out, "ready")
    while True:
        msg = _read_frame(proto_in)
        if msg is None:
            return
        name, spec_kwargs = msg
        target = TARGETS[name]
        t0 = time.perf_counter()
        try:
            kwargs = materialize(spec_kwargs)
        except Exception as exc:  # e.g. scipy refuses a big-endian CSR: the case never reaches numkern
            _write_frame(proto_out, vars(Outcome("skip", f"the arguments could not be built: {exc!r}")))
            continue
        try:
            result = target.call(**kwargs)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # noqa: BLE001 - every exception is classified
            out = classify_exception(exc, target.param_names, target.ufunc)
        else:
            try:
                problem = target.type_hole(spec_kwargs)
                if problem is None and target.check is not None:
                    problem = target.check(result, materialize(spec_kwargs), spec_kwargs)
            except Exception as exc:  # noqa: BLE001
                problem = f"the result failed the invariant check with {type(exc).__name__}: {exc}"
            out = Outcome("wrong", str(problem)[:1000]) if problem else Outcome("value")
        out.seconds = time.perf_counter() - t0
        _write_frame(proto_out, vars(out))  # a dict: Outcome pickles as __main__.Outcome here


# ------------------------------------------------------------------------------------------------ parent side
def default_timeout() -> float:
    return float(os.environ.get("NUMKERN_FUZZ_TIMEOUT", "10"))


class Worker:
    """One persistent worker process; restarted after a crash or a hang."""

    def __init__(self, timeout: float | None = None):
        self.timeout = default_timeout() if timeout is None else timeout
        self.proc = None
        self.restarts = 0

    def _start(self) -> None:
        env = dict(os.environ)
        env.setdefault("OMP_NUM_THREADS", "2")
        env.setdefault("OPENBLAS_NUM_THREADS", "1")
        self.err = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([sys.executable, str(HERE / "harness.py")], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self.err, env=env)
        ready = self._receive(120.0)
        if ready != "ready":
            raise RuntimeError(f"fuzz worker did not start: {ready!r}\n{self._stderr_from(0)}")

    def _receive(self, timeout):
        fd = self.proc.stdout.fileno()
        r, _, _ = select.select([fd], [], [], timeout)
        if not r:
            return TimeoutError
        try:
            return _read_frame(self.proc.stdout)
        except (EOFError, pickle.UnpicklingError, struct.error):
            return None

    def _stderr_from(self, pos: int) -> str:
        self.err.flush()
        self.err.seek(pos)
        text = self.err.read().decode("utf-8", "replace")
        self.err.seek(0, 2)
        return text[-6000:]

    def _stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
        if self.proc is not None:
            self.proc.wait()
        self.proc = None

    def close(self) -> None:
        self._stop()

    def run(self, name: str, spec_kwargs: dict, timeout: float | None = None) -> Outcome:
        if self.proc is None or self.proc.poll() is not None:
            self._start()
        timeout = self.timeout if timeout is None else timeout
        pos = os.fstat(self.err.fileno()).st_size
        t0 = time.perf_counter()
        try:
            _write_frame(self.proc.stdin, (name, spec_kwargs))
            out = self._receive(timeout)
        except BrokenPipeError:
            out = None
        elapsed = time.perf_counter() - t0
        if isinstance(out, dict):
            return Outcome(**out)
        if out is TimeoutError:
            self._stop()
            self.restarts += 1
            return Outcome("hang", f"no answer within {timeout:g} s", seconds=elapsed,
                           stderr=self._stderr_from(pos))
        self.proc.wait()
        rc = self.proc.returncode
        self.proc = None
        self.restarts += 1
        if rc is not None and rc < 0:
            try:
                sig = signal.Signals(-rc).name
            except ValueError:
                sig = str(-rc)
            what = f"worker killed by {sig}"
        else:
            what = f"worker exited with status {rc}"
        err = self._stderr_from(pos)
        sanitizer = re.search(r"(ERROR: AddressSanitizer: [^\n]*|runtime error: [^\n]*|SUMMARY: [^\n]*)", err)
        if sanitizer:
            what += f" ({sanitizer.group(1)})"
        return Outcome("crash", what, seconds=elapsed, stderr=err)


def report(name: str, spec_kwargs: dict, out: Outcome) -> str:
    """A failure message: what happened and code that reproduces it."""
    args = ", ".join(f"{k}={v!r}" for k, v in spec_kwargs.items())
    text = [f"{name}: {out.kind.upper()}: {out.detail}",
            "reproduce (in tests/fuzz):",
            f"    python -c \"from specs import *; from targets import TARGETS; "
            f"TARGETS[{name!r}].call(**materialize(dict({args})))\""]
    if out.stderr.strip():
        text.append("worker stderr (tail):\n" + out.stderr[-3000:])
    return "\n".join(text)


if __name__ == "__main__":
    serve()
