"""Regenerate the type stubs (src/numkern/_*.pyi) of numkern's compiled modules with pybind11-stubgen.

Run after changing a binding in cpp/bindings/ (numkern must be built and importable):

    pip install pybind11-stubgen && python tools/gen_stubs.py

The output is committed; tests/test_typing.py checks that every name a compiled module exports has a stub, so a
stale stub fails the tests. Values that depend on the build (compiler, OpenMP version) are reduced to their types.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

MODULES = ("_core", "_special", "_stats", "_integrate", "_cluster", "_sparse", "_kron")

# Build-dependent module constants: declared by type only. openmp_version is None without OpenMP.
_CONSTANT_TYPES = {"openmp_version": "int | None"}
# py::object results whose real type the binding knows but pybind11 cannot show.
_RETURN_TYPES = {("_special", "make_ufunc"): "numpy.ufunc"}


def _postprocess(module: str, text: str) -> str:
    def constant(match: re.Match[str]) -> str:
        name, typ = match.group(1), match.group(2)
        if name.startswith("__"):  # __all__ keeps its value
            return match.group(0)
        return f"{name}: {_CONSTANT_TYPES.get(name, typ)}"

    text = re.sub(r"^(\w+): ([\w.\[\], |]+) = .*$", constant, text, flags=re.MULTILINE)
    for (mod, func), typ in _RETURN_TYPES.items():
        if mod == module:
            text = re.sub(rf"^(def {func}\(.*\)) -> typing\.Any:", rf"\1 -> {typ}:", text, flags=re.MULTILINE)
            if "import numpy\n" not in text:
                text = text.replace("from __future__ import annotations\n",
                                    "from __future__ import annotations\nimport numpy\n", 1)
    return text


def main() -> None:
    target = Path(__file__).resolve().parents[1] / "src" / "numkern"
    with tempfile.TemporaryDirectory() as tmp:
        for module in MODULES:
            subprocess.run([sys.executable, "-m", "pybind11_stubgen", f"numkern.{module}", "-o", tmp,
                            "--numpy-array-use-type-var"], check=True)
            text = (Path(tmp) / "numkern" / f"{module}.pyi").read_text()
            (target / f"{module}.pyi").write_text(_postprocess(module, text))
            print(f"wrote {target / f'{module}.pyi'}")


if __name__ == "__main__":
    main()
