#!/usr/bin/env bash
# AddressSanitizer + UndefinedBehaviorSanitizer run of the C++ core: builds the CPU extension modules with
# -fsanitize=address,undefined -fno-sanitize-recover=undefined -O1 -g (CMake option NUMKERN_SANITIZE=ON: no LTO,
# no stripping; CUDA off) into a separate directory, then runs the C++-heavy tests against that build with the
# sanitizer runtimes preloaded (Python and NumPy are not instrumented; only numkern's C++ is checked).
#
#   tools/sanitize.sh                 # build into /tmp/numkern-asan and run the default selection
#   tools/sanitize.sh tests/cluster   # other pytest arguments replace the default selection
#
# Environment: NUMKERN_ASAN_DIR (build/install directory, default /tmp/numkern-asan), PYTHON (interpreter with
# numpy, scipy, pytest, hypothesis, mpmath, scikit-learn installed; default python3). Any sanitizer report aborts
# the process, which fails the test run (the fuzz tests report it as a CRASH with the sanitizer's summary).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DIR="${NUMKERN_ASAN_DIR:-/tmp/numkern-asan}"
PY="${PYTHON:-python3}"
CXX_COMPILER="${CXX:-g++}"
mkdir -p "$DIR"

echo "::: sanitize: building the CPU modules with ASan+UBSan into $DIR"
start=$(date +%s)
# Build isolation only when the build requirements are missing from this interpreter.
iso=(--no-build-isolation)
if ! "$PY" -c "import scikit_build_core, pybind11" 2>/dev/null; then iso=(); fi
NUMKERN_CUDA=OFF CXX="$CXX_COMPILER" "$PY" -m pip install -q --no-deps "${iso[@]}" --upgrade --target "$DIR/site" \
  -Cbuild-dir="$DIR/build" -Ccmake.build-type=RelWithDebInfo -Ccmake.define.NUMKERN_SANITIZE=ON \
  -Ccmake.define.NUMKERN_CUDA=OFF "$ROOT"
echo "::: sanitize: build took $(( $(date +%s) - start )) s"

# Runtimes of the compiler that built the modules, preloaded because the interpreter is not instrumented.
ASAN_LIB=$("$CXX_COMPILER" -print-file-name=libasan.so)
UBSAN_LIB=$("$CXX_COMPILER" -print-file-name=libubsan.so)
for lib in "$ASAN_LIB" "$UBSAN_LIB"; do
  [[ -e "$lib" ]] || { echo "sanitize: $lib not found (install the compiler's sanitizer runtimes)" >&2; exit 1; }
done
export LD_PRELOAD="$ASAN_LIB:$UBSAN_LIB"
# detect_leaks=0: CPython's own allocations are not leaks we can act on. allocator_may_return_null: a huge
# request is a MemoryError (as without ASan), not an ASan abort. max_allocation_size_mb: no fuzz case may touch
# more than 2 GiB at once (the plain fuzz worker caps its address space at 6 GiB).
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1:allocator_may_return_null=1:max_allocation_size_mb=2048:detect_stack_use_after_return=0:check_initialization_order=1:strict_string_checks=1:print_summary=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
# A bare virtual environment whose path is the sanitized build first, then this interpreter's site directories
# listed in a .pth file: their packages (numpy, scipy, pytest, ...) import, but their own .pth hooks do not run,
# so neither an installed numkern nor an editable install's import hook can shadow the sanitized build.
"$PY" -m venv --without-pip --clear "$DIR/venv"
"$DIR/venv/bin/python" - "$DIR/site" "$("$PY" -c 'import os, sys; print(os.pathsep.join(
    p for p in sys.path if p.endswith(("site-packages", "dist-packages"))))')" <<'PYEOF'
import os, site, sys
sanitized, others = sys.argv[1], sys.argv[2]
with open(os.path.join(site.getsitepackages()[0], "numkern_sanitize.pth"), "w") as f:
    f.write("\n".join([sanitized] + [p for p in others.split(os.pathsep) if p]) + "\n")
PYEOF
PY="$DIR/venv/bin/python"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-2}" OPENBLAS_NUM_THREADS=1 NUMKERN_FUZZ="${NUMKERN_FUZZ:-short}"
# Sanitized C++ runs a few times slower: give a fuzz call more time before it counts as a hang.
export NUMKERN_FUZZ_TIMEOUT="${NUMKERN_FUZZ_TIMEOUT:-30}"

# The tests must import the sanitized build, not an installed numkern.
"$PY" - "$DIR/site" <<'PYEOF'
import sys, numkern, numkern._core as core
where = sys.argv[1]
assert core.__file__.startswith(where), f"sanitize: numkern._core comes from {core.__file__}, not {where}"
print(f"::: sanitize: testing {core.__file__}")
PYEOF

# Default selection: the tests that drive the C++ kernels hardest. tests/pde (Python + LAPACK, slow) and the
# CUDA tests are left out; the fuzz tests cover pde's argument handling in the plain run. The Ctrl-C tests of the
# single-pass SpGEMM are left out too: that product reserves address space per multiplication (7.7 GB
# there), beyond ASan's max_allocation_size_mb; the other Ctrl-C cases run.
if [[ $# -eq 0 ]]; then
  interrupt=tests/sparse/test_interrupt_spgemm.py::test_sigint_stops_long_spgemm
  set -- tests/cluster tests/sparse tests/special tests/stats tests/integrate tests/kron tests/fuzz \
         --deselect tests/fuzz/test_fuzz_pde.py \
         --deselect "$interrupt[single_pass-2000-0.49-float32-1]" --deselect "$interrupt[single_pass-2000-0.49-float32-2]"
fi
start=$(date +%s)
"$PY" -m pytest -q -p no:cacheprovider "$@"
echo "::: sanitize: tests took $(( $(date +%s) - start )) s"
