"""Solver runs as background jobs: start, progress, stop, store the roster.

A run is a :class:`~scheduler.models.RosterRun` row plus a job of kind
``roster.solve``. The job row is the truth about its state (queued, running, done,
failed, cancelled); the run row keeps the Problem sent, the Solution received and the
latest objective and bound. The database allows one active job per period (a partial
unique index on the job's dedupe key), so two simultaneous "Generate" clicks start
one run. The roster is written in one transaction at the very end, so a period never
holds a half-written roster, whatever happens to the worker.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, object_session

from scheduler.database import read_only_transactions
from scheduler.errors import Conflict
from scheduler.jobs import JobCancelled, JobContext, enqueue
from scheduler.models import (
    Assignment,
    AssignmentSource,
    Job,
    JobState,
    Person,
    RosterPeriod,
    RosterRun,
    RunKind,
    Shift,
)
from scheduler.reasons import Reason, _
from scheduler.rostering.permissions import require_leader
from scheduler.rostering.problem import build_problem
from scheduler.rostering.repair_solve import RepairResult, solve_repair
from scheduler.timeutil import utcnow

log = logging.getLogger(__name__)

JOB_KIND = "roster.solve"
ACTIVE_STATES = (JobState.QUEUED, JobState.RUNNING)
# Progress is written at most this often (each write is its own short transaction).
PROGRESS_EVERY_S = 0.5
# How often a running solve looks for a Stop request (the heartbeat is slower).
CANCEL_POLL_S = 0.5


class RunError(Conflict):
    """A run cannot start or the roster cannot change now; nothing was changed."""

    def __init__(self, reason: str) -> None:
        super().__init__(str(reason), {"period": reason})
        self.reason: str | Reason = reason


def dedupe_key(period_id: int) -> str:
    return f"roster:period:{period_id}"


def active_job(session: Session, period: RosterPeriod) -> Job | None:
    """The queued or running solver job of ``period``, if any."""
    return session.scalar(
        select(Job).where(Job.dedupe_key == dedupe_key(period.id), Job.state.in_(ACTIVE_STATES))
    )


def active_run(session: Session, period: RosterPeriod) -> RosterRun | None:
    job = active_job(session, period)
    if job is None:
        return None
    return session.scalar(select(RosterRun).where(RosterRun.job_id == job.id))


def lock_period(session: Session, period: RosterPeriod) -> None:
    """Serialise starting a run and changing a roster on the period's row.

    An edit and a start that arrive together then happen one after the other, so an
    edit is never made after the solver read the roster but before it wrote its own.
    (PostgreSQL: a row lock until commit; SQLite: writes are serialised anyway.)
    """
    # PostgreSQL: FOR NO KEY UPDATE, exclusive among starts and edits, yet it does not
    # block the foreign-key checks (FOR KEY SHARE) of rows that point at the period,
    # such as the running job's own update of its run.
    query = select(RosterPeriod.id).where(RosterPeriod.id == period.id)
    session.execute(query.with_for_update(key_share=True))


def assert_not_running(period: RosterPeriod) -> None:
    """Refuse to change a roster while the solver works on it (it would be overwritten).

    Also locks the period's row for the rest of the caller's transaction, so that a run
    cannot start until the change is committed.
    """
    session = object_session(period)
    assert session is not None, "the period must belong to a session"
    lock_period(session, period)
    if active_job(session, period) is not None:
        raise RunError(
            _(
                "The solver is working on this roster. Wait until it has finished, "
                "or stop it, before changing the roster."
            )
        )


@dataclass(frozen=True)
class SolverSettings:
    """How runs solve: seconds, CPU workers, and rule overrides (``ROSTER_RULES``).

    The web layer builds them from the app's settings; they travel to the worker in the
    job's payload, so the job needs no application to run.
    """

    time_limit: float = 60.0
    workers: int = 2
    rules: Mapping[str, Any] | None = None

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SolverSettings:
        return cls(
            time_limit=float(config.get("SOLVER_TIME_LIMIT", cls.time_limit)),
            workers=int(config.get("SOLVER_WORKERS", cls.workers)),
            rules=config.get("ROSTER_RULES"),
        )


class RosterSolver(Protocol):
    """What a run needs of the roster engine: :mod:`scheduler.solver`'s public API.

    The job handler list passes the real one in; tests pass a scripted one.
    """

    InputError: type[Exception]

    def solve(self, problem: Any, **options: Any) -> Any: ...
    def problem_to_dict(self, problem: Any) -> dict: ...
    def problem_from_dict(self, data: dict) -> Any: ...
    def solution_to_dict(self, solution: Any) -> dict: ...


def start_run(
    session: Session,
    period: RosterPeriod,
    *,
    kind: RunKind = RunKind.GENERATE,
    actor: Person | None,
    time_limit: float | None = None,
    settings: SolverSettings | None = None,
) -> RosterRun:
    """Queue a solver run for ``period``; the job starts when the caller commits.

    Raises :class:`RunError` when the period already has an active run (checked first
    for a clear message, and enforced by the database's unique index under races) or
    has no shifts to fill. ``time_limit`` overrides the settings' for this run. Flushes;
    the caller commits.
    """
    require_leader(actor, period.library_id)
    settings = settings or SolverSettings()
    limit = float(time_limit if time_limit is not None else settings.time_limit)
    if not 1 <= limit <= 3600:
        raise RunError(_("The time limit must be between 1 and 3600 seconds."))
    if not session.scalar(select(Shift.id).where(Shift.period_id == period.id).limit(1)):
        raise RunError(
            _("This period has no shifts to fill. Add demand rules, then create the period again.")
        )
    refused = RunError(
        _("A solver run for this period is already queued or running. Wait for it or stop it.")
    )
    lock_period(session, period)
    if active_job(session, period) is not None:
        raise refused
    try:
        with session.begin_nested():
            run = RosterRun(
                period=period,
                kind=kind,
                created_by_id=actor.id if actor is not None else None,
            )
            session.add(run)
            session.flush()
            run.job = enqueue(
                session,
                JOB_KIND,
                {
                    "run_id": run.id,
                    "period_id": period.id,
                    "time_limit": limit,
                    "workers": settings.workers,
                    "rules": dict(settings.rules) if settings.rules else None,
                },
                dedupe_key=dedupe_key(period.id),
            )
            session.flush()
    except IntegrityError:
        raise refused from None
    return run


def stop_run(session: Session, run: RosterRun, *, actor: Person | None) -> bool:
    """Ask a run to stop; a running solve keeps the best roster found so far.

    A queued run is cancelled at once. Returns False when the run had already ended.
    Writes with conditional UPDATEs, so it cannot undo a run that just finished.
    """
    require_leader(actor, run.period.library_id)
    if run.job_id is None:
        return False
    queued = session.execute(
        update(Job)
        .where(Job.id == run.job_id, Job.state == JobState.QUEUED)
        .values(state=JobState.CANCELLED, cancel_requested=True, finished_at=utcnow())
    ).rowcount
    running = session.execute(
        update(Job)
        .where(Job.id == run.job_id, Job.state == JobState.RUNNING)
        .values(cancel_requested=True)
    ).rowcount
    session.expire_all()
    return bool(queued or running)


def run_state(run: RosterRun) -> dict[str, Any]:
    """What the progress page shows, as plain JSON-ready values.

    ``state`` is the job's (queued/running/done/failed/cancelled); ``outcome`` says what
    came of it for people: ``solved`` (a roster was stored), ``stopped`` (stopped with
    the best roster so far), ``infeasible``, ``no_solution`` (none found in time),
    ``input_error``, ``failed``, ``cancelled`` (stopped before any roster), or None
    while the job is still active.
    """
    job = run.job
    state = job.state if job is not None else JobState.FAILED
    info = (job.progress_info if job is not None else None) or {}
    solution = run.solution or {}
    applied = run.applied_at is not None
    outcome: str | None = None
    if state == JobState.DONE:
        outcome = {
            "INFEASIBLE": "infeasible",
            "UNKNOWN": "no_solution",
            "INPUT_ERROR": "input_error",
        }.get(run.status or "", "solved" if applied else "no_solution")
    elif state == JobState.CANCELLED:
        outcome = "stopped" if applied else "cancelled"
    elif state == JobState.FAILED:
        outcome = "input_error" if run.status == "INPUT_ERROR" else "failed"
    progress = float(job.progress if job is not None else 0.0)
    wall_time = info.get("wall_time_s", solution.get("wall_time_s"))
    limit = (job.payload or {}).get("time_limit") if job is not None else None
    if state == JobState.RUNNING and job is not None and job.started_at and limit:
        # The solver reports only when it improves; the clock moves the bar in between.
        elapsed = (utcnow() - job.started_at).total_seconds()
        progress = max(progress, min(0.99, elapsed / float(limit)))
        wall_time = round(max(float(wall_time or 0), elapsed), 1)
    error = None
    if job is not None and job.error and state == JobState.FAILED:
        error = job.error.splitlines()[0][:500]
    return {
        "run_id": run.id,
        "period_id": run.period_id,
        "kind": str(run.kind),
        "state": str(state),
        "finished": state.finished,
        "cancel_requested": bool(job.cancel_requested) if job is not None else False,
        "progress": round(progress, 4),
        "objective": info.get("objective", run.objective),
        "bound": info.get("bound", run.bound),
        "wall_time_s": wall_time,
        "time_limit_s": limit,
        "status": run.status,
        "outcome": outcome,
        "applied": applied,
        "explanation": list(solution.get("explanation") or []),
        "uncovered": list(solution.get("uncovered") or []),
        "repair_scope": solution.get("repair_scope"),
        "error": error,
    }


# The job ------------------------------------------------------------------------------


class _ProgressWriter:
    """Writes the solver's progress to the job and run rows, throttled, from any thread.

    CP-SAT calls back on its own thread, outside the app context, so this keeps the
    engine and ids it needs and opens a short transaction of its own for each write.
    """

    def __init__(self, engine: Engine, job_id: int, run_id: int, time_limit: float) -> None:
        self.engine, self.job_id, self.run_id = engine, job_id, run_id
        self.time_limit = time_limit
        self.last_write = 0.0
        self.latest: Any = None
        self.lock = threading.Lock()

    def __call__(self, progress: Any) -> None:
        with self.lock:
            self.latest = progress
            now = time.monotonic()
            if now - self.last_write < PROGRESS_EVERY_S:
                return
            self.last_write = now
        self.write(progress)

    def fraction(self, progress: Any) -> float:
        objective, bound = progress.objective, progress.bound
        if objective is not None and bound is not None and objective <= bound:
            return 0.99  # proven optimal; 1.0 once the roster is stored
        return max(0.01, min(0.98, progress.wall_time_s / self.time_limit))

    def write(self, progress: Any) -> None:
        info = {
            "objective": progress.objective,
            "bound": progress.bound,
            "wall_time_s": round(float(progress.wall_time_s), 2),
        }
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    update(Job)
                    .where(Job.id == self.job_id, Job.state == JobState.RUNNING)
                    .values(
                        progress=self.fraction(progress),
                        progress_info=info,
                        heartbeat_at=utcnow(),
                    )
                )
                conn.execute(
                    update(RosterRun)
                    .where(RosterRun.id == self.run_id)
                    .values(objective=progress.objective, bound=progress.bound)
                )
        except Exception:  # progress is a courtesy; the solve goes on
            log.exception("writing progress of job %s failed", self.job_id)

    def flush(self) -> None:
        with self.lock:
            latest = self.latest
        if latest is not None:
            self.write(latest)


def _watch_cancel(engine: Engine, job_id: int, stop: threading.Event, done: threading.Event):
    """Set ``stop`` soon after a Stop request (the job heartbeat only looks every 5 s)."""
    while not done.wait(CANCEL_POLL_S):
        try:
            with read_only_transactions(), engine.connect() as conn:
                if conn.execute(select(Job.cancel_requested).where(Job.id == job_id)).scalar():
                    stop.set()
                    return
        except Exception:
            log.exception("checking job %s for a stop request failed", job_id)


def _solve_function(solver: Any, config: Any) -> Any:
    """The engine's solve, in a child process at lower priority when configured (and when
    the engine offers it: a scripted test engine runs in the job's thread)."""
    isolated = getattr(solver, "solve_isolated", None)
    if not config.get("SOLVER_ISOLATED", True) or isolated is None:
        return solver.solve
    nice = int(config.get("SOLVER_NICE", 10))

    def solve(problem: Any, **kwargs: Any) -> Any:
        info: dict[str, Any] = {}
        solution = isolated(problem, nice=nice, info=info, **kwargs)
        log.info("roster solved in process %s (nice %s)", info.get("pid"), info.get("nice"))
        return solution

    return solve


def run_roster_job(ctx: JobContext, *, solver: RosterSolver) -> dict[str, Any]:
    """The ``roster.solve`` job: build the problem, solve it with live progress, store the
    roster at the end.

    Safe to run twice: a second attempt builds and solves afresh and replaces the roster
    again in one transaction. A stop request keeps the best roster found so far (the job
    then ends as cancelled, with the roster stored).
    """
    session = ctx.session
    run_id = int(ctx.payload["run_id"])
    time_limit = float(ctx.payload.get("time_limit", 60))
    workers = int(ctx.payload.get("workers", 2))
    run = session.get(RosterRun, run_id)
    if run is None:
        raise LookupError(f"roster run {run_id} no longer exists")
    period = run.period
    rules = ctx.payload.get("rules")
    kind = run.kind  # read now: touching ``run`` after the commit would open a transaction
    built = build_problem(session, period, kind=kind, rules=rules)
    run.problem = solver.problem_to_dict(built.problem)
    run.solution = run.status = run.objective = run.bound = run.applied_at = None
    try:
        # The engine's own input checks (H5: first-line ground-floor points only, ...).
        solver.problem_from_dict(run.problem)
    except solver.InputError as exc:
        _input_error(session, run_id, exc)
        raise
    session.commit()

    engine = ctx.engine
    writer = _ProgressWriter(engine, ctx.job_id, run_id, time_limit)
    writer.write(_Start())
    done = threading.Event()
    watcher = threading.Thread(
        target=_watch_cancel, args=(engine, ctx.job_id, ctx.stop_event, done), daemon=True
    )
    watcher.start()
    repair: RepairResult | None = None
    solve = _solve_function(solver, ctx.config)
    try:
        if kind == RunKind.REPAIR:
            # Minimal change by construction: solve the affected days first, widen
            # only if that is not enough (see scheduler.rostering.repair_solve).
            repair = solve_repair(
                solve,
                built.problem,
                time_limit=time_limit,
                workers=workers,
                on_progress=writer,
                stop_event=ctx.stop_event,
            )
            solution = repair.solution
        else:
            solution = solve(
                built.problem,
                time_limit=time_limit,
                workers=workers,
                on_progress=writer,
                stop_event=ctx.stop_event,
            )
    except solver.InputError as exc:
        _input_error(session, run_id, exc)
        raise
    finally:
        done.set()
        watcher.join()
    writer.flush()
    stored = solver.solution_to_dict(solution)
    if repair is not None:  # which neighbourhood gave the roster, and what was tried
        stored["repair_scope"] = repair.scope
        stored["repair_tried"] = repair.tried
    applied = _store(session, run_id, ctx.job_id, built, solution, stored)
    if ctx.should_stop():
        raise JobCancelled()
    result = {"status": solution.status, "objective": solution.objective, "applied": applied}
    if repair is not None:
        result["repair_scope"] = repair.scope
    return result


def _input_error(session: Session, run_id: int, exc: Exception) -> None:
    """Keep the engine's reason (it names the field) for the progress page."""
    session.rollback()
    run = session.get(RosterRun, run_id)
    assert run is not None
    run.status = "INPUT_ERROR"
    run.solution = {"status": "INPUT_ERROR", "explanation": [str(exc)]}
    session.commit()


class _Start:
    """The progress shown before the first solution."""

    objective = None
    bound = None
    wall_time_s = 0.0


def _store(
    session: Session, run_id: int, job_id: int, built: Any, solution: Any, stored: dict
) -> bool:
    """Record the solution and, if it has a roster, replace the period's assignments.

    One transaction: the job row is locked first and must still be running (a swept,
    lost job must not write), then the non-pinned assignments are replaced. Returns
    whether a roster was applied.
    """
    job = session.scalar(select(Job).where(Job.id == job_id).with_for_update())
    if job is None or job.state != JobState.RUNNING:
        session.rollback()
        raise RuntimeError(f"job {job_id} is no longer running; its roster is not stored")
    run = session.get(RosterRun, run_id)
    assert run is not None
    run.solution = stored
    run.status = solution.status
    run.objective = solution.objective
    run.bound = solution.bound
    has_roster = solution.status in ("OPTIMAL", "FEASIBLE")
    if has_roster:
        period_shift_ids = select(Shift.id).where(Shift.period_id == run.period_id)
        pinned = {
            (a.shift_id, a.person_id)
            for a in session.scalars(
                select(Assignment).where(
                    Assignment.shift_id.in_(period_shift_ids), Assignment.pinned.is_(True)
                )
            )
        }
        session.execute(
            delete(Assignment).where(
                Assignment.shift_id.in_(period_shift_ids), Assignment.pinned.is_(False)
            )
        )
        for a in solution.assignments:
            key = (built.shift_ids[a.shift], built.staff_ids[a.staff])
            if key in pinned:
                continue
            session.add(
                Assignment(shift_id=key[0], person_id=key[1], source=AssignmentSource.SOLVER)
            )
        run.applied_at = utcnow()
    session.commit()
    return has_roster


def latest_runs(session: Session, period_ids: list[int]) -> dict[int, RosterRun]:
    """The newest run of each period (for lists)."""
    if not period_ids:
        return {}
    out: dict[int, RosterRun] = {}
    for run in session.scalars(
        select(RosterRun).where(RosterRun.period_id.in_(period_ids)).order_by(RosterRun.id)
    ):
        out[run.period_id] = run
    return out
