"""Command-line entry point: ``numkern {demo,config}`` or ``python -m numkern {demo,config}``.

``demo`` runs a short tour of every part of numkern that is installed, printing numkern's numbers beside the
scipy (or other anchor) baseline. Each subpackage contributes a ``_demo.py`` module with a ``run()`` function;
the tour discovers them, so a new part appears here by adding that file.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time

# Tour order: foundations first.
DEMO_DOMAINS = ("special", "stats", "integrate", "cluster", "sparse", "kron", "pde")


def _available_demos():
    demos = {}
    for name in DEMO_DOMAINS:
        try:
            demos[name] = importlib.import_module(f"numkern.{name}._demo")
        except ModuleNotFoundError as exc:
            # Only a missing part is skipped; a broken one must fail loudly.
            if exc.name not in (f"numkern.{name}", f"numkern.{name}._demo"):
                raise
    return demos


def _cmd_demo(args) -> int:
    import numkern

    # Benchmarks against BLAS-backed baselines stay fair and quiet on shared machines.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    demos = _available_demos()
    selected = args.parts or list(demos)
    unknown = [p for p in selected if p not in demos]
    if unknown:
        print(f"unknown demo part(s): {', '.join(unknown)}; available: {', '.join(demos)}", file=sys.stderr)
        return 2
    numkern.show_config()
    t_all = time.perf_counter()
    for name in selected:
        print(f"\n=== numkern.{name} " + "=" * max(0, 60 - len(name)))
        t0 = time.perf_counter()
        demos[name].run()
        print(f"[{name}: {time.perf_counter() - t0:.1f} s]")
    print(f"\ndemo finished in {time.perf_counter() - t_all:.1f} s")
    return 0


def _cmd_config(args) -> int:
    import numkern

    numkern.show_config()
    return 0


def main(argv=None, prog: str = "numkern") -> int:
    """Run the command line; ``prog`` is the command name shown in help (the ``numkern`` script's by default)."""
    import numkern

    parser = argparse.ArgumentParser(
        prog=prog,
        description="numkern: accurate, fast numerical kernels with scipy-compatible APIs.",
        epilog="Examples: '%(prog)s demo' (full tour, under a minute), "
        "'%(prog)s demo special cluster' (selected parts), '%(prog)s config'.",
    )
    parser.add_argument("--version", action="version", version=f"numkern {numkern.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    p_demo = sub.add_parser(
        "demo",
        help="run a short tour of numkern with numbers beside the scipy baseline",
        description="Run a short tour of each part of numkern, timing it against the scipy (or other) baseline.",
    )
    p_demo.add_argument(
        "parts", nargs="*", metavar="PART", help=f"parts to show (default: all of {', '.join(DEMO_DOMAINS)})"
    )
    p_demo.set_defaults(func=_cmd_demo)
    p_cfg = sub.add_parser("config", help="print the build configuration (same as numkern.show_config())")
    p_cfg.set_defaults(func=_cmd_config)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main(prog="python -m numkern"))
