"""Probe the roster engine and measure the choices inside its decomposition.

    python bench/engine_probe.py [--time-limit 10] [FILE ...]     # solve, check, print
    python bench/engine_probe.py --lp-backends [FILE ...]         # GLOP / CLP / MathOpt
    python bench/engine_probe.py --pricing [FILE ...]             # arrays / per block / CP-SAT
    python bench/engine_probe.py --integer [FILE ...]             # column MIP: CP-SAT / SCIP

Without files it uses data/roster-examples/{S-week,M-4weeks,L-3libraries}.json. The
measurements print a table of medians over ``--repeat`` runs and the ratio to the first
choice. The machine is shared: note the load average printed with each table.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scheduler.solver import colgen, load_problem, solution_to_dict, solve  # noqa: E402
from scheduler.solver.decomposition.cpsat_pricing import CpSatPricer  # noqa: E402
from scheduler.solver.decomposition.labelling import label  # noqa: E402
from scheduler.solver.decomposition.master import RosterMaster  # noqa: E402
from scheduler.solver.decomposition.relaxation import Relaxation  # noqa: E402
from scheduler.solver.index import build_index  # noqa: E402

SHARED = ROOT.parent / "shared"
DEFAULT = [
    ROOT / "data" / "roster-examples" / f"{n}.json" for n in ("S-week", "M-4weeks", "L-3libraries")
]


def load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def table(title: str, header: list[str], rows: list[list[str]]) -> None:
    print(f"\n{title} (load average {load()})\n")
    print("| " + " | ".join(header) + " |")
    print("|" + " --- |" * len(header))
    for row in rows:
        print("| " + " | ".join(row) + " |")


def median_time(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def probe_solve(paths: list[Path], args: argparse.Namespace) -> None:
    for path in paths:
        sol = solve(load_problem(path), time_limit=args.time_limit, workers=args.workers,
                    seed=args.seed)  # fmt: skip
        verdict = "-"
        checker = SHARED / "tools" / "check_roster.py"
        if checker.is_file():
            with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
                json.dump(solution_to_dict(sol), f)
            done = subprocess.run([sys.executable, str(checker), str(path), f.name],
                                  capture_output=True, text=True, check=False)  # fmt: skip
            verdict = done.stdout.strip().splitlines()[-1][:4] if done.stdout else "?"
        gap = (
            f"{(sol.objective - sol.bound) / abs(sol.objective):.1%}"
            if sol.objective and sol.bound is not None
            else "-"
        )
        print(
            f"{path.name:<24} {sol.status:<10} objective={sol.objective} bound={sol.bound} "
            f"gap={gap} first={sol.first_solution_s and round(sol.first_solution_s, 2)}s "
            f"time={sol.wall_time_s:.1f}s check={verdict} (load {load()})"
        )


def _backend_run(idx: object, backend: str) -> float:
    rel = Relaxation(idx, backend=backend)  # type: ignore[arg-type]
    rel.run(time.monotonic() + 600)
    return rel.bound() or math.nan


def probe_lp_backends(paths: list[Path], args: argparse.Namespace) -> None:
    """Column generation to optimality on every week group, per LP backend."""
    rows = []
    for path in paths:
        idx = build_index(load_problem(path))
        base = None
        for backend in ("glop", "clp", "mathopt"):
            seconds, bound = median_time(partial(_backend_run, idx, backend), args.repeat)
            base = base or seconds
            rows.append([path.stem, backend, f"{seconds:.2f}", f"{seconds / base:.2f}",
                         f"{bound}"])  # fmt: skip
    table("LP backends: week masters to optimality", ["problem", "backend", "median s",
          "ratio to GLOP", "bound"], rows)  # fmt: skip


def _per_block(rm: RosterMaster, duals: colgen.Duals) -> None:
    for b, block in enumerate(rm.blocks):
        label(block, rm.shift_prices(b, duals.rows), rm.weights["target"])


def _cpsat(rm: RosterMaster, duals: colgen.Duals, models: dict[int, CpSatPricer]) -> None:
    idx = rm.idx
    for b, block in enumerate(rm.blocks):
        p = block.person
        extra = {}
        for s, v in rm.shift_prices(b, duals.rows).items():
            v -= rm.weights["preference"] * idx.pref_cost.get((p, s), 0)
            if (p, s) in idx.previous:
                v += rm.weights["change"]
            extra[s] = v
        models[b](extra)


def probe_pricing(paths: list[Path], args: argparse.Namespace) -> None:
    """One pricing round over all blocks of week 1 at the converged duals."""
    rows = []
    for path in paths:
        idx = build_index(load_problem(path))
        rel = Relaxation(idx)
        g = rel.groups[0]
        rel.run_group(g, time.monotonic() + 600)
        rm = g.master
        duals = g.solution.duals if g.solution else colgen.Duals([0.0] * len(rm.cg.rows), [])
        blocks = list(range(len(rm.blocks)))
        arrays_s, _ = median_time(partial(g.pricer, duals, blocks), args.repeat)
        block_s, _ = median_time(partial(_per_block, rm, duals), args.repeat)
        models = {b: CpSatPricer(idx, rm.blocks[b]) for b in blocks}
        cpsat_s, _ = median_time(partial(_cpsat, rm, duals, models), 1)
        timings = (
            ("arrays (all blocks at once)", arrays_s),
            ("labelling block by block", block_s),
            ("CP-SAT per block", cpsat_s),
        )
        for name, sec in timings:
            rows.append([path.stem, str(len(blocks)), name, f"{sec * 1000:.1f}",
                         f"{sec / arrays_s:.1f}"])  # fmt: skip
    table("Pricing one round of week 1 (converged duals)",
          ["problem", "blocks", "pricing", "median ms", "ratio to arrays"], rows)  # fmt: skip


def probe_integer(paths: list[Path], args: argparse.Namespace) -> None:
    """The column MIP of week 1 over its converged pool, CP-SAT against SCIP."""
    rows = []
    for path in paths:
        idx = build_index(load_problem(path))
        rel = Relaxation(idx)
        g = rel.groups[0]
        rel.run_group(g, time.monotonic() + 600)
        for backend in ("cpsat", "scip"):
            t = time.perf_counter()
            res = colgen.solve_integer(g.master.cg, time_limit=args.time_limit,
                                       workers=args.workers, backend=backend)  # fmt: skip
            rows.append([path.stem, backend, f"{time.perf_counter() - t:.2f}",
                         "-" if res is None else str(res.objective),
                         "-" if res is None else str(res.optimal),
                         f"{g.lp_value:.1f}"])  # fmt: skip
    table(f"Column MIP of week 1 ({args.time_limit:g} s, {args.workers} workers)",
          ["problem", "backend", "s", "objective", "proven", "LP"], rows)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--time-limit", type=float, default=10)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--lp-backends", action="store_true")
    ap.add_argument("--pricing", action="store_true")
    ap.add_argument("--integer", action="store_true")
    args = ap.parse_args(argv)
    paths = args.files or DEFAULT
    if args.lp_backends:
        probe_lp_backends(paths, args)
    if args.pricing:
        probe_pricing(paths, args)
    if args.integer:
        probe_integer(paths, args)
    if not (args.lp_backends or args.pricing or args.integer):
        probe_solve(paths, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
