"""The cache of built wheels behind numkern's PEP 517 build backend (numkern_build_backend.py); stdlib only.

pip never caches a wheel it builds from a local directory, so the README's two commands (``pip install .`` and
``pip install ".[test]"``) would compile everything twice; a persistent CMake build directory does not help
either, because build isolation puts pybind11's and numpy's headers in a new temporary directory each time and
so changes every compile command. :func:`cached_build` therefore keeps the wheels it built under
``build/wheel-cache/<key>/`` in the source tree and hands back a copy when the key matches.

The key is a SHA-256 over everything that can change the wheel:

* the content and path of every file of the source tree except the top-level ``build/``, ``dist/`` and hidden
  folders, virtual environments and ``__pycache__``/``*.egg-info`` folders (so sources, CMakeLists.txt,
  pyproject.toml, README.md, LICENSE and this file itself);
* the ``config_settings`` pip passes (``-C...``);
* every environment variable (NUMKERN_CUDA, CMAKE_ARGS, CUDAARCHS, CC, CXX, CXXFLAGS, SKBUILD_*, ...) except a
  short list of ones that only describe the shell or pip itself; the temporary folders pip's build isolation
  puts on PATH/PYTHONPATH are left out of them, since what they provide is covered by the next item;
* the name and version of every distribution importable by the build (scikit-build-core, pybind11, numpy,
  cmake, ninja, ...), the interpreter (version, ABI, platform, extension suffix);
* the content of the compilers and build tools that CMake may pick up (cc, c++, gcc, g++, clang, clang++, nvcc,
  cmake, ninja, make, also nvcc under CUDA_PATH/CUDA_HOME and /usr/local/cuda) and the GPUs ``nvidia-smi``
  lists (the CUDA architectures default to the build machine's GPUs).

What the key does not see: system headers and libraries installed or changed without a change of the compiler
binaries (say, libomp-dev installed for clang between two builds), and the real program behind a wrapper script
on PATH (a pyenv shim for cmake is hashed as the shim). ``NUMKERN_WHEEL_CACHE=0`` bypasses the cache and
``rm -rf build/wheel-cache`` empties it. The newest few entries are kept. A key is stored only when the tree
hashes the same after the build as before it, and each entry's key.json lists what went into its key (with
environment values hashed), to see why a build missed.
"""

from __future__ import annotations

import datetime
import hashlib
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile

CACHE_DIR = os.path.join("build", "wheel-cache")
KEEP_ENTRIES = 4
KEY_VERSION = "numkern-wheel-cache-1"

# Top-level folders that are build products or tool state, never build inputs.
_SKIP_TOP = {"build", "dist"}
# Folders skipped at any depth.
_SKIP_ANY = {"__pycache__", ".pytest_cache", ".hypothesis", ".mypy_cache", ".ruff_cache"}
# Environment variables that describe the shell or pip, not the build.
_ENV_IGNORED = {"_", "PWD", "OLDPWD", "SHLVL", "PS1", "PS2", "COLUMNS", "LINES", "TERM", "TERM_PROGRAM",
                "TERM_PROGRAM_VERSION", "SHELL", "HISTFILE", "HISTSIZE", "LS_COLORS", "DISPLAY", "MAIL",
                "SSH_CLIENT", "SSH_CONNECTION", "SSH_TTY", "SSH_AUTH_SOCK", "WINDOWID", "COLORTERM",
                "_PYPROJECT_HOOKS_BUILD_BACKEND", "_PYPROJECT_HOOKS_BACKEND_PATH"}
_ENV_IGNORED_PREFIXES = ("PIP_",)
_TOOLS = ("cc", "c++", "gcc", "g++", "clang", "clang++", "nvcc", "cmake", "ninja", "make", "nvidia-smi")


def _sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _source_files(root: str) -> dict[str, str]:
    """Relative path -> SHA-256 of every build-relevant file under ``root``."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):  # a linked folder's files count too
        rel_dir = os.path.relpath(dirpath, root)
        keep = []
        for d in dirnames:
            if d in _SKIP_ANY or d.endswith(".egg-info"):
                continue
            if rel_dir == "." and (d in _SKIP_TOP or d.startswith(".")):
                continue
            if os.path.exists(os.path.join(dirpath, d, "pyvenv.cfg")):
                continue  # a virtual environment inside the tree
            keep.append(d)
        dirnames[:] = sorted(keep)
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            if not os.path.isfile(path):
                continue  # dangling link, socket, ...
            rel = os.path.normpath(os.path.join(rel_dir, name)).replace(os.sep, "/")
            out[rel] = _sha256_file(path)
    return out


def _is_build_env_path(entry: str) -> bool:
    # pip's isolated build environments live in new temporary folders named pip-build-env-*.
    return "pip-build-env-" in entry


def _environment(environ) -> dict[str, str]:
    out = {}
    for name, value in environ.items():
        if name in _ENV_IGNORED or name.startswith(_ENV_IGNORED_PREFIXES):
            continue
        if name in ("PATH", "PYTHONPATH"):
            value = os.pathsep.join(p for p in value.split(os.pathsep) if not _is_build_env_path(p))
            if not value:
                continue  # pip sets PYTHONPATH where the shell had none
        out[name] = value
    return out


def _distributions() -> list[str]:
    return sorted({f"{d.metadata['Name']}=={d.version}" for d in importlib.metadata.distributions()})


def _interpreter() -> dict[str, str]:
    return {
        "version": sys.version,
        "implementation": sys.implementation.cache_tag or "",
        "abiflags": getattr(sys, "abiflags", ""),
        "platform": sysconfig.get_platform(),
        "ext_suffix": str(sysconfig.get_config_var("EXT_SUFFIX")),
        "soabi": str(sysconfig.get_config_var("SOABI")),
    }


def _tools(environ) -> dict[str, str]:
    """Content hashes of the compilers/tools CMake may find, and the GPUs (they set the CUDA architectures)."""
    path = environ.get("PATH", os.defpath)
    candidates = {name: shutil.which(name, path=path) for name in _TOOLS}
    for var in ("CUDA_PATH", "CUDA_HOME", "CUDAToolkit_ROOT"):
        if environ.get(var):
            candidates[f"nvcc@{var}"] = os.path.join(environ[var], "bin", "nvcc")
    candidates["nvcc@/usr/local/cuda"] = "/usr/local/cuda/bin/nvcc"
    out = {}
    for name, found in sorted(candidates.items()):
        if found and os.path.isfile(found):
            real = os.path.realpath(found)
            shown = "<pip build env>" if _is_build_env_path(real) else real
            out[name] = f"{shown} {_sha256_file(real)}"
        else:
            out[name] = "absent"
    smi = candidates.get("nvidia-smi")
    if smi:
        try:
            res = subprocess.run([smi, "--query-gpu=name,compute_cap", "--format=csv,noheader"],
                                 capture_output=True, text=True, timeout=60, check=False)
            out["gpus"] = f"{res.returncode} {res.stdout.strip()}"
        except (OSError, subprocess.SubprocessError) as exc:
            out["gpus"] = f"error {type(exc).__name__}"
    return out


def key_material(source_dir: str, config_settings=None, environ=None) -> dict:
    """Everything the cache key covers, as a JSON-able dictionary (environment values hashed)."""
    environ = dict(os.environ if environ is None else environ)
    env = _environment(environ)
    return {
        "key_version": KEY_VERSION,
        "files": _source_files(source_dir),
        "config_settings": json.dumps(config_settings or {}, sort_keys=True, default=str),
        "environment": {k: hashlib.sha256(v.encode("utf-8", "surrogateescape")).hexdigest()[:16]
                        for k, v in sorted(env.items())},
        "distributions": _distributions(),
        "interpreter": _interpreter(),
        "tools": _tools(environ),
    }


def cache_key(source_dir: str, config_settings=None, environ=None) -> str:
    """The wheel cache key of ``source_dir`` built with ``config_settings`` in ``environ``."""
    return _digest(key_material(source_dir, config_settings, environ))


def _digest(material: dict) -> str:
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


def _log(msg: str) -> None:
    print(f"numkern build backend: {msg}", file=sys.stderr, flush=True)


def _cached_wheel(entry: str) -> str | None:
    try:
        wheels = [n for n in os.listdir(entry) if n.endswith(".whl")]
    except OSError:
        return None
    return wheels[0] if len(wheels) == 1 else None


def _prune(cache_dir: str) -> None:
    try:
        entries = [os.path.join(cache_dir, n) for n in os.listdir(cache_dir) if not n.startswith(".")]
        entries.sort(key=os.path.getmtime, reverse=True)
        for old in entries[KEEP_ENTRIES:]:
            shutil.rmtree(old, ignore_errors=True)
    except OSError:
        pass


def _store(cache_dir: str, key: str, wheel_path: str, material: dict) -> None:
    os.makedirs(cache_dir, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".tmp-", dir=cache_dir)
    try:
        shutil.copy2(wheel_path, tmp)
        with open(os.path.join(tmp, "key.json"), "w") as f:
            json.dump(material, f, indent=1, sort_keys=True)
        os.replace(tmp, os.path.join(cache_dir, key))  # atomic; fails if a parallel build stored it first
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
    _prune(cache_dir)


def _disabled(environ) -> bool:
    return environ.get("NUMKERN_WHEEL_CACHE", "1").strip().lower() in ("0", "off", "no", "false")


def cached_build(build, wheel_directory, config_settings=None, metadata_directory=None, source_dir=None,
                 environ=None):
    """PEP 517 ``build_wheel`` through the cache: ``build`` (the real hook) runs only on a miss."""
    environ = os.environ if environ is None else environ
    if _disabled(environ):
        return build(wheel_directory, config_settings, metadata_directory)
    source_dir = os.getcwd() if source_dir is None else source_dir
    cache_dir = os.path.join(source_dir, CACHE_DIR)
    material = key_material(source_dir, config_settings, environ)
    key = _digest(material)
    entry = os.path.join(cache_dir, key)
    name = _cached_wheel(entry)
    if name is not None:
        shutil.copy2(os.path.join(entry, name), os.path.join(wheel_directory, name))
        os.utime(entry)  # most recently used: pruned last
        built = datetime.datetime.fromtimestamp(os.path.getmtime(os.path.join(entry, name)))
        _log(f"reusing {name}, built {built:%Y-%m-%d %H:%M} from identical inputs ({CACHE_DIR}/{key[:12]}...); "
             "NUMKERN_WHEEL_CACHE=0 forces a rebuild")
        return name
    name = build(wheel_directory, config_settings, metadata_directory)
    if cache_key(source_dir, config_settings, environ) == key:
        _store(cache_dir, key, os.path.join(wheel_directory, name), material)
    else:
        _log("the source tree changed during the build; the wheel is not cached")
    return name
