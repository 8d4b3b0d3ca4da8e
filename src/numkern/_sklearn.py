"""scikit-learn as an optional dependency: one version floor, one error for a missing or too old install.

The estimators (:class:`numkern.cluster.KMedoids`, :class:`numkern.stats.VonMisesFisherMixture`) use
``sklearn.utils.validation.validate_data``, which scikit-learn added in 1.6. The ``[sklearn]`` extra of
``pyproject.toml`` declares the same floor as :data:`MIN_VERSION` (a test checks that they agree).
"""

from __future__ import annotations

import re

__all__ = ["MIN_VERSION", "INSTALL_HINT", "check_sklearn_version", "require_sklearn", "StandInEstimator"]

MIN_VERSION = (1, 6)
INSTALL_HINT = 'pip install "numkern[sklearn]"'

_FLOOR = ".".join(map(str, MIN_VERSION))


def _parse(version: str) -> tuple[int, ...] | None:
    """(major, minor) of a version string such as "1.6.1", "1.7.dev0" or "1.8rc1"; None if it has none."""
    match = re.match(r"\s*(\d+)\.(\d+)", str(version))
    return (int(match.group(1)), int(match.group(2))) if match else None


def check_sklearn_version(feature: str) -> None:
    """Raise ImportError unless the imported scikit-learn is at least :data:`MIN_VERSION`.

    Reads ``sklearn.__version__`` at call time. ``feature`` names what needs scikit-learn (it starts the
    message). An unparsable version is accepted (a development build of unknown age is given the benefit of
    the doubt).
    """
    import sklearn

    version = getattr(sklearn, "__version__", "unknown")
    parsed = _parse(version)
    if parsed is not None and parsed < MIN_VERSION:
        raise ImportError(
            f"{feature} needs scikit-learn >= {_FLOOR} (for sklearn.utils.validation.validate_data), but "
            f"scikit-learn {version} is installed; upgrade it with: {INSTALL_HINT}"
        )


def require_sklearn(feature: str) -> None:
    """Raise ImportError naming ``feature`` and :data:`INSTALL_HINT` unless scikit-learn >= 1.6 is importable."""
    try:
        import sklearn  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f"{feature} needs scikit-learn >= {_FLOOR}, which is not installed; install it with: {INSTALL_HINT}"
        ) from exc
    check_sklearn_version(feature)


class StandInEstimator:
    """``get_params`` / ``set_params`` for an estimator used without scikit-learn (its optional dependency).

    The parameters are the keyword arguments of ``__init__``, stored under their own names, as in
    ``sklearn.base.BaseEstimator`` (which replaces this class whenever scikit-learn >= 1.6 is installed).
    """

    def get_params(self, deep=True):
        import inspect

        names = [p for p in inspect.signature(type(self).__init__).parameters if p != "self"]
        return {name: getattr(self, name) for name in names}

    def set_params(self, **params):
        valid = self.get_params()
        for key, value in params.items():
            if key not in valid:
                raise ValueError(f"invalid parameter {key!r} for estimator {type(self).__name__}; valid parameters "
                                 f"are {sorted(valid)}")
            setattr(self, key, value)
        return self
