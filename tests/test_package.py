"""The package itself: import, configuration report, command line."""

import io
import subprocess
import sys
from pathlib import Path

import pytest

import numkern
from numkern.__main__ import main


def test_version_matches_extension():
    from numkern import _core

    assert numkern.__version__ == _core.version


def test_show_config_reports_build():
    buf = io.StringIO()
    numkern.show_config(file=buf)
    text = buf.getvalue()
    assert f"numkern {numkern.__version__}" in text
    assert "compiler" in text and "openmp" in text and "cuda built" in text


def test_config_info_threads_follow_openmp():
    from numkern._config import config_info

    info = config_info()
    assert info["openmp_threads"] >= 1
    if not info["openmp"]:
        assert info["openmp_threads"] == 1


def test_omp_num_threads_is_respected():
    code = "from numkern import _core; print(_core.max_threads(), _core.openmp)"
    out = subprocess.run(
        [sys.executable, "-c", code], env={"OMP_NUM_THREADS": "3", "PATH": ""}, capture_output=True, text=True,
        check=True,
    ).stdout.split()
    if out[1] == "True":
        assert out[0] == "3"


def test_cuda_import_never_breaks_without_gpu():
    from numkern._config import cuda_built, cuda_devices

    # Whatever the build, asking must not raise (no driver, no GPU or no CUDA module at all).
    assert isinstance(cuda_built(), bool)
    assert isinstance(cuda_devices(), list)


def test_unknown_attribute_raises():
    with pytest.raises(AttributeError, match="no attribute"):
        numkern.does_not_exist  # noqa: B018


def test_cli_help(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    assert "demo" in capsys.readouterr().out


def test_cli_config(capsys):
    assert main(["config"]) == 0
    assert "numkern" in capsys.readouterr().out


def test_cli_demo_rejects_unknown_part(capsys):
    assert main(["demo", "no-such-part"]) == 2
    assert "unknown demo part" in capsys.readouterr().err


# ------------------------------------------------------------------------------------- command line, metadata


def test_cli_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out == f"numkern {numkern.__version__}\n"
    out = subprocess.run([sys.executable, "-m", "numkern", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout == f"numkern {numkern.__version__}\n"


def test_cli_help_names_the_command(capsys):
    # The `numkern` script calls main() and must call itself `numkern`; `python -m numkern` names itself so.
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert out.startswith("usage: numkern ")
    assert "python -m" not in out
    assert "'numkern demo'" in out
    res = subprocess.run([sys.executable, "-m", "numkern", "--help"], capture_output=True, text=True, check=True)
    assert res.stdout.startswith("usage: python -m numkern ")
    assert "'python -m numkern demo'" in res.stdout


def test_metadata_license_and_classifiers():
    from importlib.metadata import metadata

    md = metadata("numkern")
    assert md["License-Expression"] == "BSD-3-Clause"
    assert "License" not in md  # PEP 639: the expression replaces the free-text field
    assert md.get_all("License-File") == ["LICENSE"]
    assert md.get_all("Project-URL") is None  # none until the project has a public address: no guessed links
    classifiers = md.get_all("Classifier")
    for minor in (10, 11, 12, 13):
        assert f"Programming Language :: Python :: 3.{minor}" in classifiers
    assert f"Programming Language :: Python :: 3.{sys.version_info.minor}" in classifiers
    assert md["Requires-Python"] == ">=3.10"


# ---------------------------------------------------------------------------------------------- show_config


def _config_text():
    buf = io.StringIO()
    numkern.show_config(file=buf)
    return buf.getvalue()


def test_show_config_names_the_kron_blas():
    import scipy

    from numkern._config import config_info

    dep = scipy.show_config(mode="dicts")["Build Dependencies"]["blas"]
    blas = config_info()["blas"]
    assert blas.startswith(f"{dep['name']} {dep['version']} (scipy {scipy.__version__}")
    assert f"  blas (kron)     {blas}\n" in _config_text()


class _FakeCudaModule:
    """Stands in for numkern._cuda as built (archs 90-real;75-virtual, runtime 13.0) on a machine without GPUs."""

    architectures = "90-real,75-virtual"

    def __init__(self, driver, error):
        self._driver, self._error = driver, error

    def devices(self):
        return [], self._error

    def runtime_version(self):
        return 13000

    def driver_version(self):
        return self._driver


def test_show_config_says_no_cuda_driver(monkeypatch):
    from numkern import _config

    # What static cudart answers when libcuda cannot be loaded at all:
    fake = _FakeCudaModule(0, "CUDA driver version is insufficient for CUDA runtime version")
    monkeypatch.setattr(_config, "_cuda_module", lambda: fake)
    info = _config.config_info()
    assert info["cuda_error"] == "no CUDA driver"
    assert info["cuda_driver"] is None and info["cuda_architectures"] == "90-real, 75-virtual"
    text = _config_text()
    assert "  gpus            none (no CUDA driver)\n" in text
    assert "insufficient" not in text
    assert "  cuda built      yes (runtime 13.0)\n  cuda archs      90-real, 75-virtual\n" in text
    assert "  cuda driver     none\n" in text


def test_show_config_keeps_a_real_driver_error(monkeypatch):
    from numkern import _config

    # An old driver (CUDA 11.8) is really insufficient for runtime 13.0: that message stays.
    fake = _FakeCudaModule(11080, "CUDA driver version is insufficient for CUDA runtime version")
    monkeypatch.setattr(_config, "_cuda_module", lambda: fake)
    text = _config_text()
    assert "  cuda driver     11.8\n" in text
    assert "  gpus            none (CUDA driver version is insufficient for CUDA runtime version)\n" in text


def test_show_config_cuda_not_built(monkeypatch):
    from numkern import _config

    monkeypatch.setattr(_config, "_cuda_module", lambda: None)
    assert _config.config_info()["cuda_architectures"] is None
    assert "  cuda built      no\n  cuda archs      not built\n" in _config_text()


def test_show_config_real_cuda_module():
    from numkern._config import _cuda_module, config_info

    mod = _cuda_module()
    if mod is None:
        pytest.skip("numkern was built without the CUDA module")
    info = config_info()
    assert info["cuda_architectures"] and info["cuda_architectures"] == mod.architectures.replace(",", ", ")
    if mod.driver_version() == 0:
        assert info["cuda_devices"] == [] and info["cuda_error"] == "no CUDA driver"
    else:
        assert info["cuda_driver"] == f"{mod.driver_version() // 1000}.{mod.driver_version() % 1000 // 10}"


# ---------------------------------------------------------------------------------------------- wheel cache

_BACKEND_DIR = Path(__file__).resolve().parents[1] / "tools" / "build_backend"


@pytest.fixture
def wheel_cache(monkeypatch):
    if not (_BACKEND_DIR.parents[1] / "pyproject.toml").is_file():
        pytest.skip("the tests do not sit in a numkern source tree")
    monkeypatch.syspath_prepend(str(_BACKEND_DIR))
    import numkern_wheel_cache

    return numkern_wheel_cache


def _tree(root):
    (root / "cpp" / "include").mkdir(parents=True)
    (root / "cpp" / "include" / "k.hpp").write_text("inline double f(double x) { return x; }\n")
    (root / "CMakeLists.txt").write_text("project(x)\n")
    (root / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    return root


_ENV = {"PATH": "/usr/bin:/bin", "HOME": "/root", "NUMKERN_CUDA": "AUTO"}


def test_wheel_cache_key_covers_sources_settings_and_environment(wheel_cache, tmp_path):
    root = _tree(tmp_path)
    key = wheel_cache.cache_key(str(root), None, _ENV)
    assert key == wheel_cache.cache_key(str(root), {}, dict(_ENV))  # deterministic

    def changed(**kw):
        return wheel_cache.cache_key(str(root), kw.get("settings"), kw.get("env", _ENV)) != key

    hdr = root / "cpp" / "include" / "k.hpp"
    text = hdr.read_text()
    hdr.write_text(text.replace("x; }", "x;}"))  # one byte less
    assert changed()
    hdr.write_text(text)
    assert not changed()
    (root / "cpp" / "include" / "new.hpp").write_text("")  # a new (even empty) source
    assert changed()
    (root / "cpp" / "include" / "new.hpp").rename(root / "cpp" / "new.hpp")  # same content, other place
    assert changed()
    (root / "cpp" / "new.hpp").unlink()
    assert not changed()
    assert changed(settings={"cmake.define.NUMKERN_LTO": "ON"})
    for var, value in [("NUMKERN_CUDA", "OFF"), ("CMAKE_ARGS", "-DX=1"), ("CUDAARCHS", "80"), ("CXX", "clang++"),
                       ("CXXFLAGS", "-O1"), ("SKBUILD_CMAKE_BUILD_TYPE", "Debug"), ("NUMKERN_LTO", "ON")]:
        assert changed(env={**_ENV, var: value}), var
    assert changed(env={**_ENV, "PATH": "/opt/gcc-99/bin:/usr/bin:/bin"})
    # A folder linked into the tree is read through the link.
    (tmp_path.parent / f"{tmp_path.name}-ext").mkdir()
    (tmp_path.parent / f"{tmp_path.name}-ext" / "e.hpp").write_text("1")
    (root / "cpp" / "ext").symlink_to(tmp_path.parent / f"{tmp_path.name}-ext")
    key = wheel_cache.cache_key(str(root), None, _ENV)
    (tmp_path.parent / f"{tmp_path.name}-ext" / "e.hpp").write_text("2")
    assert changed()


def test_wheel_cache_key_ignores_build_products_and_pip_temporaries(wheel_cache, tmp_path):
    root = _tree(tmp_path)
    key = wheel_cache.cache_key(str(root), None, _ENV)
    for junk in ["build/wheel-cache/x.whl", "dist/x.whl", ".git/index", "cpp/__pycache__/a.pyc", "venv/x.py"]:
        (root / junk).parent.mkdir(parents=True, exist_ok=True)
        (root / junk).write_text("junk")
    (root / "venv" / "pyvenv.cfg").write_text("home = /usr\n")
    # pip's build isolation: new temporary folders on PATH/PYTHONPATH and its own variables each time.
    env = {**_ENV, "PATH": "/tmp/pip-build-env-abc/overlay/bin:/tmp/pip-build-env-abc/normal/bin:/usr/bin:/bin",
           "PYTHONPATH": "/tmp/pip-build-env-abc/site", "PIP_BUILD_TRACKER": "/tmp/pip-build-tracker-xyz",
           "OLDPWD": "/somewhere"}
    assert wheel_cache.cache_key(str(root), None, env) == key


def test_wheel_cache_reuses_only_identical_builds(wheel_cache, tmp_path):
    root = _tree(tmp_path / "src")
    built = []

    def build(wheel_directory, config_settings=None, metadata_directory=None):
        name = "x-1.0-cp3-cp3-linux_x86_64.whl"
        (Path(wheel_directory) / name).write_text(f"wheel {len(built)}")
        built.append(name)
        return name

    def run(env=_ENV):
        out = tmp_path / f"out{len(list(tmp_path.glob('out*')))}"
        out.mkdir()
        name = wheel_cache.cached_build(build, str(out), None, None, source_dir=str(root), environ=env)
        return (out / name).read_text()

    assert run() == "wheel 0" and len(built) == 1
    assert run() == "wheel 0" and len(built) == 1  # hit: a copy of the first wheel, no build
    (root / "cpp" / "include" / "k.hpp").write_text("changed\n")
    assert run() == "wheel 1" and len(built) == 2  # miss after a source change
    assert run({**_ENV, "NUMKERN_CUDA": "OFF"}) == "wheel 2"
    assert run({**_ENV, "NUMKERN_WHEEL_CACHE": "0"}) == "wheel 3"  # bypass
    assert run() == "wheel 1" and len(built) == 4
