"""The roster engine and the Timefold peer side by side, on the same problems and limits.

    python bench/roster_bench.py                        # 10 s and 60 s, everything
    python bench/roster_bench.py --time-limits 10 --only M-4weeks --only G4-3lib-4w-50
    python bench/roster_bench.py --skip-timefold --time-limits 5 --seeds 1   # a quick look

Problems: the three shared examples (data/roster-examples: S-week, M-4weeks,
L-3libraries) and the generated scenarios of bench/roster_scenarios.py (1 library, 1
week, 20 staff up to 10 libraries, 8 weeks, 140 staff) for each ``--seeds`` value,
written to files under bench/out/scenarios so that both solvers read the same problem.

For every problem and limit, one after the other on the same machine: the engine through
its command line (``scheduler roster solve --time-limit T --workers W``) and the Timefold
peer (``../shared/peers/timefold-roster/run.sh PROBLEM T SEED``, whose README says how to
build it; ``--timefold DIR`` points elsewhere). Both run as subprocesses with a hard
timeout, so the run always ends. Every roster is re-checked by the engine's own checker
and, when ``../shared/tools/check_roster.py`` is there, by it; the objectives in the table
are the checker's. A roster any checker rejects, a disagreement between the checkers or
with the solver's own objective, or a solver that crashes or overruns its limit, makes
the script say so loudly and exit 1 (after writing the table); a solver that finds no
roster in time is shown as such in the table.

Prints a table (objective, bound, proven gap, first roster, Timefold's objective and the
ratio engine / Timefold) and writes it, with the machine and its load average before and
after, to bench/results/roster.md. Not a test: run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from roster_scenarios import SCENARIOS, generate  # noqa: E402

from scheduler.solver import load_problem  # noqa: E402
from scheduler.solver.check import check  # noqa: E402
from scheduler.solver.problem import Assignment  # noqa: E402

SHARED = ROOT.parent / "shared"
EXAMPLES = ROOT / "data" / "roster-examples"
CHECK_ROSTER = SHARED / "tools" / "check_roster.py"
TIMEFOLD = SHARED / "peers" / "timefold-roster"
OUT = ROOT / "bench" / "out"
RESULTS = ROOT / "bench" / "results" / "roster.md"
EXAMPLE_NAMES = ("S-week", "M-4weeks", "L-3libraries")
GRACE_S = 90  # beyond the limit before a run is killed (start-up, reading, writing)


@dataclass
class Run:
    solver: str
    status: str = "-"
    objective: int | None = None  # the checker's
    bound: int | None = None
    first_s: float | None = None
    wall_s: float | None = None
    verdict: str = "-"  # OK, or why a checker rejected it
    problems: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.problems)


@dataclass
class Row:
    instance: str
    multi_library: bool
    shifts: int
    staff: int
    limit: float
    engine: Run
    timefold: Run | None

    def gap(self) -> float | None:
        e = self.engine
        if e.objective is None or e.bound is None or e.objective == 0:
            return None
        return 100 * (e.objective - e.bound) / abs(e.objective)

    def ratio(self) -> float | None:
        t = self.timefold
        if t is None or t.objective is None or self.engine.objective is None or not t.objective:
            return None
        return self.engine.objective / t.objective

    def cells(self) -> list[str]:
        e, t = self.engine, self.timefold
        gap, ratio = self.gap(), self.ratio()
        return [
            self.instance,
            str(self.shifts),
            str(self.staff),
            f"{self.limit:g}",
            _num(e.objective),
            _num(e.bound),
            "" if gap is None else f"{gap:.2f}",
            "" if e.first_s is None else f"{e.first_s:.2f}",
            "n/a" if t is None else _num(t.objective),
            "" if ratio is None else f"{ratio:.4f}",
            e.verdict if t is None else f"{e.verdict} / {t.verdict}",
        ]


HEADER = [
    "instance", "shifts", "staff", "limit s", "engine objective", "bound", "gap %",
    "first roster s", "Timefold objective", "engine / Timefold", "checks (engine / Timefold)",
]  # fmt: skip


def _num(v: int | None) -> str:
    return "" if v is None else f"{v:,}"


def load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def instances(only: list[str] | None, seeds: list[int]) -> list[tuple[str, Path, bool]]:
    """(name, file, multi-library) for every problem to run, scenarios written to files."""
    out = []
    for name in EXAMPLE_NAMES:
        path = EXAMPLES / f"{name}.json"
        if only and name not in only:
            continue
        if not path.is_file():
            sys.exit(f"roster_bench: {path} is missing")
        data = json.loads(path.read_text())
        out.append((name, path, len(data["service_points"]) > 2))
    folder = OUT / "scenarios"
    folder.mkdir(parents=True, exist_ok=True)
    for sc in SCENARIOS:
        for seed in seeds:
            name = f"{sc.name}/s{seed}"
            if only and sc.name not in only and name not in only:
                continue
            path = folder / f"{sc.name}-s{seed}.json"
            data, _ = generate(sc, seed)
            path.write_text(json.dumps(data))
            out.append((name, path, sc.libraries > 1))
    return out


def recheck(problem_path: Path, solution_path: Path, run: Run) -> None:
    """Re-score ``run``'s roster with the engine's checker and check_roster.py."""
    if run.status not in ("OPTIMAL", "FEASIBLE"):
        return
    solution = json.loads(solution_path.read_text())
    problem = load_problem(problem_path)
    report = check(problem, [Assignment(a["shift"], a["staff"]) for a in solution["assignments"]])
    verdicts = []
    if not report.ok:
        run.problems.append(f"engine checker: {report.violations[0].message}")
        verdicts.append("REJECTED")
    objective = report.objective
    if CHECK_ROSTER.is_file():
        done = subprocess.run(
            [sys.executable, str(CHECK_ROSTER), str(problem_path), str(solution_path)],
            capture_output=True, text=True, check=False, timeout=600,
        )  # fmt: skip
        last = (done.stdout.strip().splitlines() or ["(no output)"])[-1]
        if done.returncode != 0 or not last.startswith("OK"):
            run.problems.append(f"check_roster.py: {last[:200]}")
            verdicts.append("REJECTED")
        else:
            for part in last.split():
                if part.startswith("objective="):
                    theirs = int(part.split("=", 1)[1])
                    if theirs != objective:
                        run.problems.append(
                            f"checkers disagree: engine {objective}, check_roster {theirs}"
                        )
                    objective = theirs
    if solution.get("objective") is not None and solution["objective"] != objective:
        run.problems.append(f"{run.solver} reported {solution['objective']}, checker {objective}")
    run.objective = objective
    run.verdict = "REJECTED" if verdicts else ("OK" if CHECK_ROSTER.is_file() else "OK (engine)")


def run_engine(path: Path, limit: float, workers: int, seed: int, out: Path) -> Run:
    run = Run("engine")
    cmd = [
        sys.executable, "-c", "from scheduler.cli import main; main()", "roster", "solve",
        str(path), "-o", str(out), "--time-limit", f"{limit:g}", "--workers", str(workers),
        "--seed", str(seed),
    ]  # fmt: skip
    started = time.monotonic()
    try:
        done = subprocess.run(
            cmd, capture_output=True, text=True, timeout=limit + GRACE_S, cwd=ROOT, check=False
        )
    except subprocess.TimeoutExpired:
        run.problems.append(f"engine did not finish within {limit + GRACE_S:g} s")
        return run
    run.wall_s = time.monotonic() - started
    if done.returncode == 2 or not out.is_file():
        run.problems.append(f"engine exit {done.returncode}: {done.stderr.strip()[-300:]}")
        return run
    data = json.loads(out.read_text())
    run.status = data["status"]
    run.bound = data.get("bound")
    run.first_s = data.get("first_solution_s")
    if run.status not in ("OPTIMAL", "FEASIBLE"):
        run.verdict = f"no roster ({run.status})"  # reported, not a failure
        return run
    recheck(path, out, run)
    return run


def run_timefold(peer: Path, path: Path, limit: float, seed: int, out: Path) -> Run:
    run = Run("Timefold")
    started = time.monotonic()
    try:
        with out.open("w") as fh:
            done = subprocess.run(
                [str(peer / "run.sh"), str(path), f"{limit:g}", str(seed)],
                stdout=fh, stderr=subprocess.PIPE, text=True, timeout=limit + GRACE_S,
                check=False,
            )  # fmt: skip
    except subprocess.TimeoutExpired:
        run.problems.append(f"Timefold did not finish within {limit + GRACE_S:g} s")
        return run
    run.wall_s = time.monotonic() - started
    try:
        data = json.loads(out.read_text())
    except json.JSONDecodeError:
        run.problems.append(f"Timefold exit {done.returncode}: {done.stderr.strip()[-300:]}")
        return run
    run.status = data.get("status", "-")
    if run.status not in ("OPTIMAL", "FEASIBLE"):
        run.verdict = f"no roster ({run.status})"  # reported, not a failure
        return run
    recheck(path, out, run)
    return run


def machine() -> str:
    cpu = platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import ortools

    java = "none"
    if shutil.which("java"):
        done = subprocess.run(["java", "-version"], capture_output=True, text=True, check=False)
        java = (done.stderr.splitlines() or ["?"])[0]
    return (
        f"nproc {os.cpu_count()}, {cpu}; Python {platform.python_version()}, OR-Tools "
        f"{ortools.__version__}; Java: {java}; Timefold Solver 1.24.0 (peer)"
    )


def table(rows: list[Row]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + " --- |" * len(HEADER)]
    lines += ["| " + " | ".join(r.cells()) + " |" for r in rows]
    return "\n".join(lines)


def summary(rows: list[Row]) -> list[str]:
    out = []
    for limit in sorted({r.limit for r in rows}):
        these = [r for r in rows if r.limit == limit and r.ratio() is not None]
        if not these:
            continue
        better = sum(1 for r in these if r.ratio() < 1)  # type: ignore[operator]
        equal = sum(1 for r in these if r.ratio() == 1)
        worse = [r for r in these if r.ratio() > 1]  # type: ignore[operator]
        line = (
            f"- {limit:g} s: engine better than Timefold on {better}, equal on {equal}, "
            f"worse on {len(worse)} of {len(these)}"
        )
        if worse:
            line += (
                " ("
                + ", ".join(
                    f"{r.instance} +{100 * (r.ratio() - 1):.2f} %"  # type: ignore[operator]
                    for r in worse
                )
                + ")"
            )
        out.append(line + ".")
    gaps = [(r.instance, r.limit, r.gap()) for r in rows if r.gap() is not None]
    if gaps:
        worst = max(gaps, key=lambda g: g[2])  # type: ignore[arg-type,return-value]
        out.append(f"- Largest proven gap: {worst[2]:.2f} % ({worst[0]} at {worst[1]:g} s).")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limits", default="10,60", help="comma-separated seconds")
    ap.add_argument("--seeds", default="1,2", help="scenario seeds (comma-separated)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--solver-seed", type=int, default=0, help="both solvers' random seed")
    ap.add_argument("--only", action="append", help="instance or scenario name (repeatable)")
    ap.add_argument("--timefold", type=Path, default=TIMEFOLD, help="the peer's folder")
    ap.add_argument("--skip-timefold", action="store_true")
    ap.add_argument("--out", type=Path, default=RESULTS, help="the results file to write")
    ap.add_argument("--no-write", action="store_true", help="print only")
    args = ap.parse_args(argv)
    limits = [float(t) for t in args.time_limits.split(",")]
    seeds = [int(s) for s in args.seeds.split(",")]
    peer = None if args.skip_timefold else args.timefold
    if peer is not None and not (peer / "run.sh").is_file():
        print(f"roster_bench: no Timefold peer at {peer}; running the engine alone",
              file=sys.stderr)  # fmt: skip
        peer = None
    work = OUT / "roster"
    work.mkdir(parents=True, exist_ok=True)
    load_before = load()
    started = datetime.now(UTC)
    rows: list[Row] = []
    print("| " + " | ".join(HEADER) + " |", flush=True)
    for name, path, multi in instances(args.only, seeds):
        data = json.loads(path.read_text())
        size = (len(data["shifts"]), sum(1 for q in data["staff"] if q["first_line"]))
        stem = name.replace("/", "-")
        for limit in limits:
            engine = run_engine(path, limit, args.workers, args.solver_seed,
                                work / f"{stem}-{limit:g}-engine.json")  # fmt: skip
            timefold = None
            if peer is not None:
                timefold = run_timefold(peer, path, limit, args.solver_seed,
                                        work / f"{stem}-{limit:g}-timefold.json")  # fmt: skip
            row = Row(name, multi, *size, limit, engine, timefold)
            rows.append(row)
            print("| " + " | ".join(row.cells()) + " |", flush=True)
    load_after = load()
    failures = [
        f"{r.instance} at {r.limit:g} s, {run.solver}: {p}"
        for r in rows
        for run in (r.engine, r.timefold)
        if run is not None
        for p in run.problems
    ]
    text = table(rows)
    notes = summary(rows)
    print()
    print("\n".join(notes))
    if not args.no_write:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        command = "python bench/roster_bench.py " + " ".join(argv or sys.argv[1:])
        args.out.write_text(
            "# Roster engine against Timefold, side by side\n\n"
            f"Command: `{command.strip()}`, started {started:%Y-%m-%d %H:%M} UTC.\n\n"
            f"Machine: {machine()}.\n\n"
            f"Load average (1 / 5 / 15 min) before: {load_before}; after: {load_after}.\n\n"
            f"Both solvers get the same time limit and {args.workers} workers, one run at a "
            "time; objectives are the checker's (check_roster.py when present, else the "
            "engine's own checker); the bound and gap are the engine's proven ones; "
            "'engine / Timefold' below 1 means the engine's roster is better.\n\n"
            f"{text}\n\n" + "\n".join(notes) + "\n"
            + ("\n**Failures:**\n\n" + "\n".join(f"- {f}" for f in failures) + "\n"
               if failures else "")
        )  # fmt: skip
        print(f"\nwritten to {args.out}")
    if failures:
        print("\nFAILED: a roster was rejected or a solver failed:", file=sys.stderr)
        for f in failures:
            print(f"  {f}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
