"""Wheels users install without a compiler (issue 19): the cibuildwheel configuration and the CI check of the wheel.

The wheel builds themselves run on CI runners (cibuildwheel) and in .ci/run (tools/check_wheel.sh); these tests
pin what the configuration promises, so an edit that drops a platform, the CPU-only switch, the vendored OpenMP
runtime or the test of the installed wheel fails here.
"""

import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
tomllib = pytest.importorskip("tomllib")


@pytest.fixture(scope="module")
def cibw():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["cibuildwheel"]


def test_platforms_and_pythons(cibw):
    assert cibw["linux"]["archs"] == ["x86_64", "aarch64"]
    assert cibw["windows"]["archs"] == ["AMD64"]
    assert cibw["macos"]["archs"] == ["native"]  # libomp of the runner's architecture (see the comment there)
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert requires == ">=3.10"
    assert cibw["build"] == ["cp310-*", "cp311-*", "cp312-*", "cp313-*"]
    assert "*-musllinux_*" in cibw["skip"]  # manylinux only


def test_cpu_wheels_everywhere(cibw):
    # a platform table's environment replaces the top-level one: each must switch CUDA off itself
    for env in (cibw["environment"], cibw["macos"]["environment"]):
        assert env["NUMKERN_CUDA"] == "OFF"
        assert env["NUMKERN_WHEEL_CACHE"] == "0"
    assert "environment" not in cibw["linux"] and "environment" not in cibw["windows"]


def test_openmp_runtime_is_vendored(cibw):
    # Linux: cibuildwheel's default repair is auditwheel (copies libgomp); macOS: delocate (libomp from Homebrew,
    # found by CMake through OpenMP_ROOT); Windows: delvewheel with MSVC's OpenMP runtime named explicitly.
    assert "repair-wheel-command" not in cibw["linux"] and "repair-wheel-command" not in cibw["macos"]
    assert cibw["macos"]["before-all"] == "brew install libomp"
    assert cibw["macos"]["environment"]["OpenMP_ROOT"] == "$(brew --prefix libomp)"
    command = shlex.split(cibw["windows"]["repair-wheel-command"])
    assert command[:2] == ["delvewheel", "repair"]
    assert command[command.index("--include") + 1] == "vcomp140.dll"


def test_wheel_test_command_uses_the_installed_wheel(cibw):
    command = cibw["test-command"]
    assert command.startswith("python -m numkern demo && python -m pytest ")
    files = [t for t in command.split() if t.startswith("tests/")]
    assert files and all((ROOT / f).is_file() for f in files)
    assert set(cibw["test-sources"]) == {"tests", "tools/build_backend", "pyproject.toml"}  # no src/: no shadowing
    assert {re.split(r"[<>=]", r)[0] for r in cibw["test-requires"]} == {"pytest", "hypothesis"}


def test_ci_checks_the_built_wheel_in_a_clean_venv():
    run = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^time tools/check_wheel\.sh$", run, re.M)
    script = (ROOT / "tools" / "check_wheel.sh").read_text()
    assert '-m build --outdir "$WORK/dist" .' in script  # sdist, then the wheel built from the sdist
    venvs = [line.split("#")[0] for line in re.findall(r"-m venv [^\n]*", script)]  # without the comments
    assert len(venvs) == 2 and not any("system-site-packages" in v for v in venvs)
    assert 'cd "$WORK"' in script and "-m numkern demo" in script
    default_tests = re.search(r'NUMKERN_WHEEL_TESTS:-([^}]*)\}', script).group(1).split()
    assert default_tests and all((ROOT / t).is_file() for t in default_tests)
