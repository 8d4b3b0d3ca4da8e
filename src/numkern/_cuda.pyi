"""
numkern CUDA kernels (device pointers in, device pointers out)
"""
# Written by hand (the module exists only in CUDA builds, so tools/gen_stubs.py cannot always import it);
# tests/test_typing.py checks it against the module where the module is built. Pointers and streams are integers.
from __future__ import annotations
import typing
__all__: list[str] = ['SpgemmGpu', 'SpgemmValueType', 'architectures', 'cluster_build_gain', 'cluster_swap_deltas',
                      'devices', 'driver_version', 'kron_strided_gemm', 'runtime_version', 'special_binary',
                      'version']
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
def kron_strided_gemm(dtype: str, rows: int, cols: int, inner: int, batch: int, p: int, p_rs: int, p_cs: int,
                      p_batch: int, q: int, q_rs: int, q_cs: int, q_batch: int, c: int, ldc: int, c_batch: int,
                      stream: int, /) -> None:
    """
    C_b = P_b Q_b with element strides (device pointers; see cuda/numkern_cuda_kron.hpp).
    """
def cluster_swap_deltas(D: int, is_float32: bool, n: int, k: int, near: int, dn: int, ds: int, removal: int,
                        is_medoid: int, w: int, delta: int, stream: int) -> None:
    """
    FastPAM1 candidate pass: delta[o, m] = dTD of swapping o into slot m (n x k, float64).
    """
def cluster_build_gain(D: int, is_float32: bool, n: int, dn: int, is_medoid: int, w: int, gain: int,
                       stream: int) -> None:
    """
    BUILD gains sum_j w_j min(D[i, j] - dn[j], 0) (dn = 0 pointer: row sums).
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
