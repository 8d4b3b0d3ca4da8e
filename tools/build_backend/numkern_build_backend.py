"""numkern's PEP 517 build backend: scikit-build-core, with its ``build_wheel`` going through a cache of built
wheels (numkern_wheel_cache.py explains the cache and its key). Every other hook is scikit-build-core's,
unchanged: sdists, editable installs, metadata, build requirements."""

from __future__ import annotations

from scikit_build_core import build as _skbuild

import numkern_wheel_cache

__all__ = list(_skbuild.__all__)
for _name in __all__:
    globals()[_name] = getattr(_skbuild, _name)
del _name


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return numkern_wheel_cache.cached_build(_skbuild.build_wheel, wheel_directory, config_settings,
                                            metadata_directory)
