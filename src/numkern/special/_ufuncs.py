"""Create the ufuncs from the C++ module with their docstrings (kept in :mod:`._docs`)."""

from __future__ import annotations

import inspect

from .. import _special
from ._docs import DOCS

log_iv = _special.make_ufunc("log_iv", inspect.cleandoc(DOCS["log_iv"]))
log_ive = _special.make_ufunc("log_ive", inspect.cleandoc(DOCS["log_ive"]))
log_kv = _special.make_ufunc("log_kv", inspect.cleandoc(DOCS["log_kv"]))
log_kve = _special.make_ufunc("log_kve", inspect.cleandoc(DOCS["log_kve"]))
iv_ratio = _special.make_ufunc("iv_ratio", inspect.cleandoc(DOCS["iv_ratio"]))

for _u in (log_iv, log_ive, log_kv, log_kve, iv_ratio):
    # Sphinx/autosummary and pickling look for the defining module.
    try:
        _u.__module__ = "numkern.special"
    except (AttributeError, TypeError):
        pass
