"""Docstrings of the numkern.special ufuncs (attached when the ufuncs are created, see ``_ufuncs.py``)."""

from __future__ import annotations

_COMMON_NOTES = """
    All computations are done in log space in double precision: the uniform (Debye) expansion DLMF 10.41.3-4
    written in :math:`s = \\sqrt{v^2 + x^2}` (it reduces to Hankel's expansion DLMF 10.40 for large ``x``) when
    :math:`s \\ge 23.5`, and otherwise the power series DLMF 10.25.2 for :math:`I` and Temme's series or
    Steed's continued fraction with the forward recurrence for :math:`K`. Nothing overflows or underflows for
    any finite float64 input, so the result is finite wherever the function is positive and finite, even
    where ``scipy.special.ive``/``kve`` underflow to 0 or overflow (e.g. ``v = 1e4``, ``x = 1``). The float32
    loop computes in double precision and rounds once; a result beyond the range of the output type (e.g.
    :math:`\\log K_v(x) \\approx v \\log(2v/x)` for float32 ``v = 1e38``, or float64 ``v`` near ``1.8e308``) is
    ``+-inf``, without a floating-point warning. Large arrays are split across OpenMP threads
    (``OMP_NUM_THREADS`` or threadpoolctl set how many); results do not depend on the thread count.
    CuPy arrays: use the function of the same name in :mod:`numkern.special.cuda`.

    Accuracy (measured against a 50-digit mpmath table spanning ``v`` in [0, 1e6] and ``x`` in
    [1e-300, 1e300]): see the numkern.special API page; the error is a few ulp of ``max(|result|, 1)``.
"""

_PARAMS = """
    Parameters
    ----------
    v : array_like
        Real order (float32 or float64; integers are cast to float64).
    x : array_like
        Real argument. Broadcast against ``v``.
    out : ndarray, None, or tuple of ndarray and None, optional
        Location for the result (standard ufunc keyword).
    **kwargs
        Other ufunc keywords: ``where``, ``casting``, ``order``, ``dtype``, ``subok``, ``signature``.
"""

DOCS = {
    "log_iv": """Natural logarithm of the modified Bessel function of the first kind, :math:`\\log I_v(x)`.
""" + _PARAMS + """
    Returns
    -------
    ndarray or scalar
        :math:`\\log I_v(x)`, float32 for float32 inputs, else float64.

    See Also
    --------
    log_ive : :math:`\\log I_v(x) - |x|`, the exponentially scaled form.
    iv_ratio : :math:`I_{v+1}(x) / I_v(x)`.
    scipy.special.iv, scipy.special.ive

    Notes
    -----
    Domain and special values (following scipy's conventions for ``iv``):

    * ``x > 0``, any real ``v``. For non-integer ``v < 0`` the reflection formula
      :math:`I_{v}(x) = I_{-v}(x) + (2/\\pi) \\sin(-v\\pi) K_{-v}(x)` (DLMF 10.27.2) is used; where it makes
      :math:`I_v(x)` negative the result is NaN (the log of a negative number). Integer ``v < 0``:
      :math:`I_{-n} = I_n`.
    * ``x < 0``: NaN unless ``v`` is an integer; then :math:`I_n(-x) = (-1)^n I_n(x)`, so even ``n`` gives
      :math:`\\log I_n(|x|)` and odd ``n`` gives NaN (negative value).
    * ``x = 0``: 0 for ``v = 0``, ``-inf`` for ``v > 0`` (and for negative integer ``v``), ``+inf`` for
      non-integer ``v < 0`` where :math:`\\Gamma(1+v) > 0`, NaN where it is negative.
    * ``x = inf``: ``inf``; ``v = inf`` with finite ``x``: ``-inf``; both infinite, or ``v = -inf``: NaN.
      NaN in either argument gives NaN. No floating-point warnings are raised.
""" + _COMMON_NOTES + """
    Examples
    --------
    >>> import numpy as np
    >>> from numkern.special import log_iv
    >>> float(log_iv(0.0, 1.0))  # log(1.2660658777520082)
    0.2359143585071...
    >>> float(log_iv(1e4, 1.0))  # I_v(1) = 0 in float64; its log is finite
    -89040.3996174...
    >>> log_iv([0.5, 2.0], np.float32(3.0)).dtype
    dtype('float64')
    >>> log_iv(np.float32([0.5, 2.0]), np.float32(3.0)).dtype
    dtype('float32')
""",
    "log_ive": """Logarithm of the exponentially scaled modified Bessel function, :math:`\\log I_v(x) - |x|`.

    Equals ``log(scipy.special.ive(v, x))`` and ``log_iv(v, x) - abs(x)``, computed directly (no
    cancellation for large ``x``).
""" + _PARAMS + """
    Returns
    -------
    ndarray or scalar
        :math:`\\log I_v(x) - |x|`.

    See Also
    --------
    log_iv, scipy.special.ive

    Notes
    -----
    Same domain and special values as :func:`log_iv`, with ``x = inf`` giving ``-inf``
    (:math:`I_v(x) e^{-x} \\sim (2\\pi x)^{-1/2} \\to 0`).
""" + _COMMON_NOTES + """
    Examples
    --------
    >>> from numkern.special import log_ive
    >>> float(log_ive(0.5, 2.0**30))  # scipy.special.ive(0.5, 2**30) is NaN
    -11.3161462416...
    >>> float(log_ive(2.0, -3.0)) == float(log_ive(2.0, 3.0))  # even integer order, negative x
    True
""",
    "log_kv": """Natural logarithm of the modified Bessel function of the second kind, :math:`\\log K_v(x)`.
""" + _PARAMS + """
    Returns
    -------
    ndarray or scalar
        :math:`\\log K_v(x)`.

    See Also
    --------
    log_kve : :math:`\\log K_v(x) + x`, the exponentially scaled form.
    scipy.special.kv, scipy.special.kve

    Notes
    -----
    Domain and special values (following scipy's conventions for ``kv``):

    * ``x > 0``, any real ``v``; :math:`K_{-v} = K_v`.
    * ``x < 0``: NaN. ``x = 0``: ``+inf``. ``x = inf``: ``-inf``. ``|v| = inf`` with finite ``x > 0``:
      ``+inf``; both infinite: NaN. NaN in either argument gives NaN. No floating-point warnings are raised.
""" + _COMMON_NOTES + """
    Examples
    --------
    >>> from numkern.special import log_kv
    >>> float(log_kv(0.0, 1.0))  # log(0.42102443824070834)
    -0.8650643989...
    >>> float(log_kv(-2.5, 3.0)) == float(log_kv(2.5, 3.0))
    True
    >>> float(log_kv(1e3, 1e-3))  # K_v overflows float64 here; its log does not
    13505.4297...
""",
    "log_kve": """Logarithm of the exponentially scaled modified Bessel function, :math:`\\log K_v(x) + x`.

    Equals ``log(scipy.special.kve(v, x))`` and ``log_kv(v, x) + x``, computed directly.
""" + _PARAMS + """
    Returns
    -------
    ndarray or scalar
        :math:`\\log K_v(x) + x`.

    See Also
    --------
    log_kv, scipy.special.kve

    Notes
    -----
    Same domain and special values as :func:`log_kv`; ``x = inf`` gives ``-inf``
    (:math:`K_v(x) e^{x} \\sim (\\pi / 2x)^{1/2} \\to 0`).
""" + _COMMON_NOTES + """
    Examples
    --------
    >>> from numkern.special import log_kve
    >>> float(log_kve(0.5, 2.0))  # K_{1/2}(x) e^x = sqrt(pi / (2 x))
    -0.1207822376...
""",
    "iv_ratio": """Ratio of modified Bessel functions of the first kind, :math:`I_{v+1}(x) / I_v(x)`.

    This is :math:`A_d(\\kappa) = I_{d/2}(\\kappa) / I_{d/2-1}(\\kappa)` of the von Mises-Fisher
    distribution with ``v = d/2 - 1``.
""" + _PARAMS + """
    Returns
    -------
    ndarray or scalar
        :math:`I_{v+1}(x) / I_v(x)`, in [0, 1) for ``v >= -1/2`` and ``x >= 0``.

    See Also
    --------
    log_iv, log_ive

    Notes
    -----
    For ``v >= 0`` the ratio comes from Gauss's continued fraction (DLMF 10.33.1) when
    :math:`\\sqrt{v^2 + x^2} < 23.5` and from the Debye expansions of :math:`I_v` and :math:`I_v'`
    (DLMF 10.41.3, 10.41.5) otherwise; it is never a quotient of two huge or tiny numbers, so it is accurate
    to a few ulp for all finite inputs (e.g. ``v = 1e5``, ``x = 1e-3`` or ``x = 1e300``).

    Domain and special values: ``x = 0`` gives 0 (``+inf`` for negative integer ``v``), ``x = inf`` gives 1,
    ``v = inf`` gives 0. ``x < 0`` is defined only for integer ``v`` (the ratio is odd in ``x``), else NaN.
    Negative integer ``v = -n`` uses :math:`I_{-n} = I_n`; other negative ``v`` use the reflection formula
    with signs (absolute accuracy about ``eps * |log I_v(x)|`` there). NaN gives NaN. The float32 loop
    computes in double precision and rounds once.

    Examples
    --------
    >>> from numkern.special import iv_ratio
    >>> float(iv_ratio(-0.5, 1.0))  # I_{1/2} / I_{-1/2} = tanh(x)
    0.7615941559557...
    >>> float(iv_ratio(1023.0, 1e4))  # vMF mean resultant length for d = 2048, kappa = 1e4
    0.90286954...
""",
}
