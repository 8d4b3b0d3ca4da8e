"""Write the small offline intersphinx inventories used when the documentation sites cannot be reached.

docs/conf.py tries each project's live ``objects.inv`` first and falls back to ``docs/_intersphinx/<name>.inv``
written here (Sphinx inventory format version 2). Only the objects that numkern's pages and docstrings link to
are listed, with the same locations (relative to the project's base URL in conf.py) as the live inventories:
python, scipy, scikit-learn and Dask entries were checked against those projects' published inventories, numpy's
against the layout of its documentation sources. Add a line here when a page links to a new external object,
then run ``python docs/_intersphinx/make_inventories.py`` and commit the .inv files.
"""

from __future__ import annotations

import zlib
from pathlib import Path

# name: (domain:role, uri); every "$" in a uri stands for the name and is expanded when the file is written
# (Sphinx itself only expands a trailing "$")
ENTRIES = {
    "python": {
        "int": ("py:class", "library/functions.html#$"),
        "float": ("py:class", "library/functions.html#$"),
        "bool": ("py:class", "library/functions.html#$"),
        "print": ("py:function", "library/functions.html#$"),
        "None": ("py:data", "library/constants.html#$"),
        "TypeError": ("py:exception", "library/exceptions.html#$"),
        "ValueError": ("py:exception", "library/exceptions.html#$"),
        "MemoryError": ("py:exception", "library/exceptions.html#$"),
        "ImportError": ("py:exception", "library/exceptions.html#$"),
        "KeyboardInterrupt": ("py:exception", "library/exceptions.html#$"),
        "UserWarning": ("py:exception", "library/exceptions.html#$"),
        "RuntimeWarning": ("py:exception", "library/exceptions.html#$"),
        "warnings.filterwarnings": ("py:function", "library/warnings.html#$"),
        "logging": ("py:module", "library/logging.html#module-$"),
    },
    "numpy": {
        "numpy.ufunc": ("py:class", "reference/generated/$.html#$"),
        "numpy.ndarray": ("py:class", "reference/generated/$.html#$"),
        "numpy.ma": ("py:module", "reference/maskedarray.generic.html#module-$"),
        "numpy.random.Generator": ("py:class", "reference/random/generator.html#$"),
        "numpy.random.default_rng": ("py:function", "reference/random/generator.html#$"),
        "numpy.random.RandomState": ("py:class", "reference/random/legacy.html#$"),
        "numpy.random.SeedSequence": ("py:class", "reference/random/bit_generators/generated/$.html#$"),
    },
    "scipy": {
        "scipy.special": ("py:module", "reference/special.html#module-$"),
        "scipy.special.iv": ("py:data", "reference/generated/$.html#$"),
        "scipy.special.ive": ("py:data", "reference/generated/$.html#$"),
        "scipy.special.kv": ("py:data", "reference/generated/$.html#$"),
        "scipy.special.kve": ("py:data", "reference/generated/$.html#$"),
        "scipy.stats": ("py:module", "reference/stats.html#module-$"),
        "scipy.stats.vonmises_fisher": ("py:data", "reference/generated/$.html#$"),
        "scipy.integrate": ("py:module", "reference/integrate.html#module-$"),
        "scipy.integrate.trapezoid": ("py:function", "reference/generated/$.html#$"),
        "scipy.integrate.simpson": ("py:function", "reference/generated/$.html#$"),
        "scipy.integrate.cumulative_trapezoid": ("py:function", "reference/generated/$.html#$"),
        "scipy.integrate.cumulative_simpson": ("py:function", "reference/generated/$.html#$"),
        "scipy.integrate.quad": ("py:function", "reference/generated/$.html#$"),
        "scipy.sparse": ("py:module", "reference/sparse.html#module-$"),
        "scipy.sparse.csr_array": ("py:class", "reference/generated/$.html#$"),
        "scipy.sparse.csr_matrix": ("py:class", "reference/generated/$.html#$"),
        "scipy.sparse.linalg.LinearOperator": ("py:class", "reference/generated/$.html#$"),
    },
    "sklearn": {
        "sklearn.cluster.KMeans": ("py:class", "modules/generated/$.html#$"),
        "sklearn.mixture.GaussianMixture": ("py:class", "modules/generated/$.html#$"),
        "sklearn.model_selection.GridSearchCV": ("py:class", "modules/generated/$.html#$"),
        "sklearn.pipeline.Pipeline": ("py:class", "modules/generated/$.html#$"),
        "sklearn.base.clone": ("py:function", "modules/generated/$.html#$"),
        "sklearn.exceptions.NotFittedError": ("py:class", "modules/generated/$.html#$"),
        "sklearn.exceptions.ConvergenceWarning": ("py:class", "modules/generated/$.html#$"),
        "sklearn.utils.estimator_checks.check_estimator": ("py:function", "modules/generated/$.html#$"),
    },
    "dask": {
        "dask.array.Array": ("py:class", "generated/$.html#$"),
        "dask.array.map_blocks": ("py:function", "generated/$.html#$"),
        "dask.array.from_array": ("py:function", "generated/$.html#$"),
    },
}


def inventory_bytes(project: str, entries: dict[str, tuple[str, str]]) -> bytes:
    header = (f"# Sphinx inventory version 2\n# Project: {project}\n# Version: \n"
              "# The remainder of this file is compressed using zlib.\n").encode()
    body = "".join(f"{name} {role} 1 {uri.replace('$', name)} -\n" for name, (role, uri) in sorted(entries.items()))
    return header + zlib.compress(body.encode(), 9)


def main() -> None:
    here = Path(__file__).resolve().parent
    for project, entries in ENTRIES.items():
        (here / f"{project}.inv").write_bytes(inventory_bytes(project, entries))
        print(f"wrote {project}.inv ({len(entries)} objects)")


if __name__ == "__main__":
    main()
