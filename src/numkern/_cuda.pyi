"""
numkern CUDA kernels (device pointers in, device pointers out)
"""
# Written by hand (the module exists only in CUDA builds, so tools/gen_stubs.py cannot always import it);
# tests/test_typing.py checks it against the module where the module is built. Pointers and streams are integers.
from __future__ import annotations
import typing
__all__: list[str] = ['SpgemmGpu', 'SpgemmValueType', 'architectures', 'cluster_pam', 'devices', 'driver_version',
                      'kron_apply_along', 'kron_matmat', 'runtime_version', 'special_binary', 'version']
version: str
architectures: str
def runtime_version() -> int:
    ...
def driver_version() -> int:
    """
    CUDA version the installed driver supports (e.g. 12040), 0 when there is no driver.
    """
def devices() -> tuple[list[str], str]:
    """
    Return (list of device descriptions, error text or '').
    """
def special_binary(function: int, float32: bool, v: int, x: int, out: int, n: int, stream: int) -> None:
    """
    Evaluate log_iv/log_ive/log_kv/log_kve/iv_ratio (function 0..4) elementwise on contiguous device arrays of n
    float32 or float64 values, asynchronously on `stream`.
    """
def kron_matmat(float32: bool, factors: list[int], rows: list[int], cols: list[int], x: int, batch: int, out: int,
                out_size: int, work: int, work_size: int, stream: int) -> None:
    """
    (⊗ M_j) x on the device; the row-major (batch, M) result is at the start of `out` (see multi_axis.hpp).
    """
def kron_apply_along(float32: bool, mat: int, rows: int, cols: int, x: int, a: int, b: int, y: int,
                     stream: int) -> None:
    """
    Y (a, rows, b) = M (rows, cols) along the middle axis of X (a, cols, b).
    """
def cluster_pam(D: int, is_float32: bool, n: int, k: int, initial: list[int], w_dev: int, w_host: list[float] | None,
                max_iter: int, build_only: bool, stream: int) -> tuple:
    """
    BUILD (unless `initial`) + FastPAM1 SWAP on the n x n device matrix D: (medoids, labels, loss, n_iter, n_swap)
    with host arrays; w_dev/w_host: the same weights on the device (0) and host (None) or unit.
    """
class SpgemmValueType:
    float32: typing.ClassVar[SpgemmValueType]
    float64: typing.ClassVar[SpgemmValueType]
    __members__: typing.ClassVar[dict[str, SpgemmValueType]]
    def __init__(self, value: int) -> None: ...
    def __int__(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def value(self) -> int: ...
class SpgemmGpu:
    """
    C = A B on the GPU: flop count and row bins at construction, then symbolic(Cp) -> nnz and numeric(value_type, Ax, Bx, Cp, Cj, Cx).
    """
    def __init__(self, m: int, k: int, n: int, Ap: int, Aj: int, Bp: int, Bj: int, stream: int) -> None: ...
    def symbolic(self, Cp: int) -> int: ...
    def numeric(self, value_type: SpgemmValueType, Ax: int, Bx: int, Cp: int, Cj: int, Cx: int) -> None: ...
