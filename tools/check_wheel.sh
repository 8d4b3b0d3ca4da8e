#!/usr/bin/env bash
# Check numkern's distributions as a user gets them: `python -m build` makes the sdist and then the wheel from
# the sdist (so a file missing from the sdist fails here), the wheel is installed into a clean virtual
# environment (no system site-packages: only the wheel and its runtime dependencies, numpy and scipy), and
# `python -m numkern demo` and a short test subset run against it from a temporary folder, never the source tree.
#
#   tools/check_wheel.sh [extra pytest arguments]
#
# Environment: PYTHON (default python3); NUMKERN_CUDA (default OFF: the CPU wheel, as [tool.cibuildwheel] builds);
# NUMKERN_WHEEL_TESTS (the test files, relative to the repository; default: the fast subset below).
# The wheel build compiles the C++ core once more (about 2-3 minutes on 2 cores): the wheel cache of the build
# backend keys on the source tree, and the sdist's unpacked tree is another one.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
PY="${PYTHON:-python3}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/numkern-wheel.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
export NUMKERN_CUDA="${NUMKERN_CUDA:-OFF}"
TESTS="${NUMKERN_WHEEL_TESTS:-tests/test_package.py tests/special/test_reference_table.py tests/integrate/test_rules.py tests/cluster/test_exact.py}"

echo "--- python -m build (sdist, then the wheel from the sdist)"
"$PY" -m venv "$WORK/build-tools"
"$WORK/build-tools/bin/python" -m pip install -q "build>=1.2"
(cd "$REPO" && "$WORK/build-tools/bin/python" -m build --outdir "$WORK/dist" .)
sdists=("$WORK"/dist/numkern-*.tar.gz)
wheels=("$WORK"/dist/numkern-*.whl)
[[ ${#sdists[@]} -eq 1 && -f ${sdists[0]} && ${#wheels[@]} -eq 1 && -f ${wheels[0]} ]] || {
  echo "expected one sdist and one wheel in $WORK/dist" >&2; ls -l "$WORK/dist" >&2; exit 1; }

echo "--- install $(basename "${wheels[0]}") into a clean venv"
"$PY" -m venv "$WORK/venv"  # deliberately without --system-site-packages
VPY="$WORK/venv/bin/python"
"$VPY" -m pip install -q "${wheels[0]}"
"$VPY" -m pip list --format=freeze
cd "$WORK"  # nothing importable from the source tree
"$VPY" - "$WORK/venv" <<'EOF'
import importlib.metadata as md
import pathlib
import sys

import numkern

where = pathlib.Path(numkern.__file__).resolve()
assert pathlib.Path(sys.argv[1]).resolve() in where.parents, f"numkern imported from {where}, not the venv"
requires = [r.split(";")[0].strip() for r in md.requires("numkern") or [] if "extra ==" not in r]
installed = sorted(d.metadata["Name"].lower() for d in md.distributions())
extra = set(installed) - {"numkern", "numpy", "scipy", "pip", "setuptools"}
assert not extra, f"the wheel pulled in more than its runtime dependencies {requires}: {sorted(extra)}"
print(f"numkern {numkern.__version__} from {where.parent}; runtime dependencies {requires}")
EOF
"$VPY" -m numkern demo

echo "--- a short test subset against the installed wheel"
"$VPY" -m pip install -q "pytest>=7" "hypothesis>=6.80"
tests=()
for t in $TESTS; do tests+=("$REPO/$t"); done
"$VPY" -m pytest -q -p no:cacheprovider "${tests[@]}" "$@"
