"""Sphinx configuration for numkern (numpydoc docstrings, one API page per subpackage, a gallery of examples).

CI builds with ``python -m sphinx -W --keep-going -b html -q docs docs/_build/html``: every warning is an error.
"""

import os
import sys
from pathlib import Path

import numkern

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

project = "numkern"
author = "numkern developers"
copyright = "numkern developers"
release = numkern.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.intersphinx",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]
autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
templates_path = []
exclude_patterns = ["_build", "_intersphinx"]
html_theme = "alabaster"
nitpicky = False

# --- intersphinx ------------------------------------------------------------------------------------------------
# Links to numpy, scipy, scikit-learn, Dask and Python. Each project's live inventory is tried first, then a small
# local inventory shipped in docs/_intersphinx/ (written by docs/_intersphinx/make_inventories.py with the objects
# these docs link to, at the same URLs as the live sites). Online, the live inventory wins and every name of the
# target project resolves; offline (CI and the development machines reach no documentation site), the failed
# download is only logged at info level because an alternative inventory loaded, so `-W` does not fail and the
# links these docs use still point at the right pages. NUMKERN_DOCS_OFFLINE=1 skips the network entirely (no
# waiting on a firewall that drops packets); the timeout bounds that wait otherwise.
_INVENTORIES = {
    "python": "https://docs.python.org/3/",
    "numpy": "https://numpy.org/doc/stable/",
    "scipy": "https://docs.scipy.org/doc/scipy/",
    "sklearn": "https://scikit-learn.org/stable/",
    "dask": "https://docs.dask.org/en/stable/",
}
_OFFLINE = os.environ.get("NUMKERN_DOCS_OFFLINE", "") not in ("", "0")
intersphinx_mapping = {
    name: (url, (str(HERE / "_intersphinx" / f"{name}.inv"),) if _OFFLINE
           else (None, str(HERE / "_intersphinx" / f"{name}.inv")))
    for name, url in _INVENTORIES.items()
}
intersphinx_timeout = 10

# --- gallery ----------------------------------------------------------------------------------------------------
# examples/gallery/plot_*.py run at build time (matplotlib's Agg backend) and become docs/auto_examples/ with their
# code, printed output and figures. Each runs in a few seconds on one core, so the whole docs build stays near a
# minute; every script is also a plain `python examples/gallery/plot_....py`. An example that raises fails the build.
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples" / "gallery"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py",
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "remove_config_comments": True,
    "image_scrapers": ("matplotlib",),
    "matplotlib_animations": False,
    "reset_modules": ("matplotlib",),
    "show_memory": False,
    "plot_gallery": "True",
    "abort_on_example_error": False,
    "only_warn_on_example_error": False,
    "capture_repr": (),
    "min_reported_time": 1,
}
os.environ.setdefault("MPLBACKEND", "Agg")
# The examples print timings; pin BLAS/OpenMP threads so they do not oversubscribe a small CI machine.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(HERE))
