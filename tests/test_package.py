"""The package itself: import, configuration report, command line."""

import io
import subprocess
import sys

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
