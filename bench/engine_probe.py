"""Probe the roster engine on the shared examples: objective, bound, times, checker verdict.

    python bench/engine_probe.py [--time-limit 10] [--workers 2] [--seed 0] [FILE ...]

Without files it runs data/roster-examples/{S-week,M-4weeks,L-3libraries}.json.
Each solution is checked by ../shared/tools/check_roster.py. The machine is shared:
numbers move with others' load, so note ``uptime`` next to them.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scheduler.solver import load_problem, solution_to_dict, solve  # noqa: E402

SHARED = ROOT.parent / "shared"
DEFAULT = [
    ROOT / "data" / "roster-examples" / f"{n}.json" for n in ("S-week", "M-4weeks", "L-3libraries")
]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--time-limit", type=float, default=10)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    for path in args.files or DEFAULT:
        sol = solve(
            load_problem(path), time_limit=args.time_limit, workers=args.workers, seed=args.seed
        )
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(solution_to_dict(sol), f)
        check = subprocess.run(
            [sys.executable, str(SHARED / "tools" / "check_roster.py"), str(path), f.name],
            capture_output=True,
            text=True,
            check=False,
        )
        verdict = check.stdout.strip().splitlines()[-1][:4] if check.stdout else "?"
        gap = (
            f"{(sol.objective - sol.bound) / abs(sol.objective):.1%}"
            if sol.objective and sol.bound is not None
            else "-"
        )
        print(
            f"{path.name:<22} {sol.status:<10} objective={sol.objective} bound={sol.bound} "
            f"gap={gap} first={sol.first_solution_s and round(sol.first_solution_s, 2)}s "
            f"time={sol.wall_time_s:.1f}s check={verdict}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
