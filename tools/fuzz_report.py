#!/usr/bin/env python
"""Fuzz every public numkern function and print a table of outcomes per subpackage.

Runs the fixed hostile corpus of ``tests/fuzz/strategies.py`` (one hostile argument at a time) plus ``--examples``
derandomized Hypothesis examples per function through the crash-isolating worker of ``tests/fuzz/harness.py``,
and counts: clear errors, documented values, silent wrong results (invariant violations), vague errors, crashes
and hangs. ``--details`` lists every bad case with a reproducer.

    python tools/fuzz_report.py                 # corpus + 20 examples per function
    python tools/fuzz_report.py --examples 200 --domain cluster --details
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from pathlib import Path

FUZZ = Path(__file__).resolve().parents[1] / "tests" / "fuzz"
sys.path.insert(0, str(FUZZ))

from harness import KINDS, Worker, report  # noqa: E402
from targets import DOMAINS, TARGETS  # noqa: E402


def hypothesis_cases(target, n: int, seed_offset: int = 0):
    """n derandomized cases drawn from the target's strategy (no test failures: just collect)."""
    if n <= 0:
        return []
    from hypothesis import HealthCheck, Phase, given, settings

    from strategies import cases

    out = []

    @settings(max_examples=n, derandomize=True, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(cases(target))
    def collect(kw):
        out.append(kw)

    collect()
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--examples", type=int, default=20, help="Hypothesis examples per function (default 20)")
    ap.add_argument("--no-corpus", action="store_true", help="skip the fixed corpus")
    ap.add_argument("--domain", action="append", help="only these subpackages (repeatable)")
    ap.add_argument("--target", action="append", help="only these targets, e.g. cluster.pam (repeatable)")
    ap.add_argument("--timeout", type=float, default=None, help="seconds per call before it counts as a hang")
    ap.add_argument("--details", action="store_true", help="print every bad case with a reproducer")
    ap.add_argument("--per-function", action="store_true", help="also print one row per function")
    args = ap.parse_args(argv)

    from strategies import corpus_cases

    names = [n for n, t in TARGETS.items() if (not args.domain or t.domain in args.domain)
             and (not args.target or n in args.target)]
    worker = Worker(timeout=args.timeout)
    per_domain = collections.defaultdict(collections.Counter)
    per_target = collections.defaultdict(collections.Counter)
    bad = []
    skipped = 0
    t0 = time.perf_counter()
    for name in names:
        target = TARGETS[name]
        todo = ([] if args.no_corpus else corpus_cases(target)) + hypothesis_cases(target, args.examples)
        for kw in todo:
            out = worker.run(name, kw)
            if out.kind == "skip":
                skipped += 1
                continue
            per_domain[target.domain][out.kind] += 1
            per_target[name][out.kind] += 1
            if out.kind not in ("clear", "value"):
                bad.append((name, kw, out))
    worker.close()
    elapsed = time.perf_counter() - t0

    head = ["subpackage", "calls", "clear error", "documented value", "silent wrong", "vague error", "crash", "hang"]

    def table(rows):
        widths = [max(len(str(r[i])) for r in [head] + rows) for i in range(len(head))]
        lines = [" | ".join(str(c).ljust(w) for c, w in zip(head, widths))]
        lines.append("-|-".join("-" * w for w in widths))
        lines += [" | ".join(str(c).ljust(w) for c, w in zip(r, widths)) for r in rows]
        return "\n".join(lines)

    def row(label, c):
        return [label, sum(c.values())] + [c[k] for k in KINDS]

    domains = [d for d in DOMAINS if d in per_domain]
    total = sum((per_domain[d] for d in domains), collections.Counter())
    print(table([row(d, per_domain[d]) for d in domains] + [row("total", total)]))
    if args.per_function:
        print()
        print(table([row(n, per_target[n]) for n in names]))
    print(f"\n{len(names)} functions, {sum(total.values())} calls, {elapsed:.0f} s, {worker.restarts} worker restarts, "
          f"{skipped} cases NumPy/SciPy could not build (not counted)")
    if args.details:
        for name, kw, out in bad:
            print("\n" + report(name, kw, out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
