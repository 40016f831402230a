"""Import staff from a CSV file: a dry run that shows each row's outcome, then apply.

One row per person, matched on e-mail (so importing the same file twice changes nothing):

``name, email, libraries, roles, first_line, min_hours, target_hours, max_hours, skills, topics``

``libraries``, ``roles``, ``skills`` and ``topics`` hold several values separated by
``;`` (libraries and topics by slug or name, skills by code or name). The ``roles``
(``section_leader``, ``librarian``) are held in each of the row's libraries, and
``first_line`` (yes/no) adds first-line staff in each of them. A row states the person's
roles in full: roles in libraries the row does not name are taken away. The
administrator role is never given or taken by an import.

:func:`plan_import` checks every row and says what would happen; :func:`apply_import`
refuses while any row has an error, and returns the people it created so the caller can
invite them (the invitation e-mail is not sent here).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler import access, accounts, audit
from scheduler.errors import Forbidden, InputError
from scheduler.models import Library, Person, Role, Skill, Topic
from scheduler.people.save_person import check_hours
from scheduler.reasons import _, input_error

COLUMNS = (
    "name",
    "email",
    "libraries",
    "roles",
    "first_line",
    "min_hours",
    "target_hours",
    "max_hours",
    "skills",
    "topics",
)
REQUIRED = ("name", "email", "libraries")
ROLE_NAMES = {
    "section_leader": Role.SECTION_LEADER,
    "leader": Role.SECTION_LEADER,
    "librarian": Role.LIBRARIAN,
    "first_line": Role.FIRST_LINE,
}
YES = {"yes", "y", "true", "1", "ja", "x"}
NO = {"no", "n", "false", "0", "nei", ""}
MAX_ROWS = 2000
MAX_BYTES = 1_000_000


class Outcome(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"


@dataclass
class Wanted:
    """What a row asks for, in the database's terms."""

    name: str
    email: str
    library_roles: dict[Library, set[Role]]
    min_hours: float
    target_hours: float | None
    max_hours: float | None
    skills: list[Skill]
    topics: list[Topic]


@dataclass
class RowPlan:
    line: int
    name: str
    email: str
    outcome: Outcome | None = None
    errors: dict[str, str] = field(default_factory=dict)
    wanted: Wanted | None = None


@dataclass
class ImportPlan:
    rows: list[RowPlan]
    # Errors about the file as a whole (not CSV, columns missing, too big).
    file_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.file_errors and bool(self.rows) and not any(r.errors for r in self.rows)

    def count(self, outcome: Outcome) -> int:
        return sum(1 for r in self.rows if r.outcome == outcome and not r.errors)


@dataclass(frozen=True)
class ImportResult:
    created: list[Person]
    updated: list[Person]
    unchanged: int


def _require_admin(actor: Person | None) -> None:
    if not access.is_admin(actor):
        raise Forbidden(_("Only administrators manage people."))


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(";") if v.strip()]


def _hours(value: str | None, name: str, errors: dict[str, str]) -> float | None:
    text = (value or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        errors[name] = _("is not a number of hours: %(value)s", value=text)
        return None


class _Lookup:
    """Libraries, skills and topics by slug/code or name, read once per import."""

    def __init__(self, session: Session) -> None:
        self.libraries = self._index(session.scalars(select(Library)), "slug")
        self.skills = self._index(session.scalars(select(Skill)), "code")
        self.topics = self._index(session.scalars(select(Topic)), "slug")

    @staticmethod
    def _index(rows, key: str) -> dict[str, object]:
        found: dict[str, object] = {}
        for row in rows:
            found[str(getattr(row, key)).lower()] = row
            found.setdefault(row.name.lower(), row)
        return found

    def find(self, kind: str, names: list[str]) -> tuple[list, str]:
        """The rows named (each once), and the names not found, comma-separated."""
        table = getattr(self, kind)
        found, missing = [], []
        for name in names:
            item = table.get(name.lower())
            if item is None:
                missing.append(name)
            elif item not in found:
                found.append(item)
        return found, ", ".join(missing)


def _read(text: str) -> tuple[list[dict[str, str]], list[str]]:
    """The rows as dicts of the known columns, or the reasons the file is unusable."""
    if len(text.encode()) > MAX_BYTES:
        return [], [_("The file is larger than %(most)s bytes.", most=MAX_BYTES)]
    text = text.lstrip("\ufeff")  # a BOM from spreadsheet programs
    # The header decides the separator: values may hold ";" (several libraries).
    header_line = text.split("\n", 1)[0]
    delimiter = next((d for d in (",", "\t", ";") if d in header_line), ",")
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            return [], [_("The file has no column %(columns)s.", columns=", ".join(missing))]
        rows = []
        for raw in reader:
            rows.append(
                {
                    (k or "").strip().lower(): (v or "").strip()
                    for k, v in raw.items()
                    if isinstance(v, str)
                }
            )
            if len(rows) > MAX_ROWS:
                return [], [_("The file has more than %(most)s rows.", most=MAX_ROWS)]
    except csv.Error as exc:
        return [], [_("The file is not a CSV file: %(reason)s", reason=str(exc))]
    if not rows:
        return [], [_("The file has no rows.")]
    return rows, []


def plan_import(session: Session, actor: Person | None, text: str) -> ImportPlan:
    """Check every row and say what applying would do; changes nothing."""
    _require_admin(actor)
    raw_rows, file_errors = _read(text)
    if file_errors:
        return ImportPlan([], file_errors)
    lookup = _Lookup(session)
    plans: list[RowPlan] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(raw_rows):
        line = index + 2  # the header is line 1
        errors: dict[str, str] = {}
        name = raw.get("name", "")
        if not name:
            errors["name"] = _("is required")
        try:
            email = accounts.normalise_email(raw.get("email", ""))
        except InputError as exc:
            email = raw.get("email", "")
            errors.update(exc.fields)
        if email in seen and "email" not in errors:
            errors["email"] = _(
                "appears twice in the file (also on line %(line)s)", line=seen[email]
            )
        seen.setdefault(email, line)

        libraries, unknown = lookup.find("libraries", _split(raw.get("libraries")))
        if unknown:
            errors["libraries"] = _("unknown library: %(names)s", names=unknown)
        elif not libraries:
            errors["libraries"] = _("is required")
        roles: set[Role] = set()
        for role_name in _split(raw.get("roles")):
            role = ROLE_NAMES.get(role_name.lower().replace(" ", "_").replace("-", "_"))
            if role is None:
                errors["roles"] = _("unknown role: %(name)s", name=role_name)
            else:
                roles.add(role)
        first_line = (raw.get("first_line") or "").lower()
        if first_line in YES:
            roles.add(Role.FIRST_LINE)
        elif first_line not in NO:
            errors["first_line"] = _("must be yes or no")
        low = _hours(raw.get("min_hours"), "min_hours", errors)
        target = _hours(raw.get("target_hours"), "target_hours", errors)
        high = _hours(raw.get("max_hours"), "max_hours", errors)
        hour_errors: dict[str, str] = {}
        check_hours(low or 0.0, target, high, hour_errors)
        for key, reason in hour_errors.items():  # min_hours_per_week -> min_hours
            errors.setdefault(key.removesuffix("_per_week"), reason)
        skills, unknown = lookup.find("skills", _split(raw.get("skills")))
        if unknown:
            errors["skills"] = _("unknown skill: %(names)s", names=unknown)
        topics, unknown = lookup.find("topics", _split(raw.get("topics")))
        if unknown:
            errors["topics"] = _("unknown topic: %(names)s", names=unknown)

        plan = RowPlan(line, name, email, errors=errors)
        if not errors:
            plan.wanted = Wanted(
                name=name,
                email=email,
                library_roles={lib: set(roles) for lib in libraries},
                min_hours=low or 0.0,
                target_hours=target,
                max_hours=high,
                skills=skills,
                topics=topics,
            )
            existing = accounts.find_by_email(session, email)
            if existing is None:
                plan.outcome = Outcome.CREATE
            elif _same(existing, plan.wanted):
                plan.outcome = Outcome.UNCHANGED
            else:
                plan.outcome = Outcome.UPDATE
        plans.append(plan)
    return ImportPlan(plans)


def _roles_of(person: Person) -> set[tuple[int, Role]]:
    return {(r.library_id, r.role) for r in person.library_roles}


def _same(person: Person, wanted: Wanted) -> bool:
    return (
        person.name == wanted.name
        and _roles_of(person)
        == {(lib.id, role) for lib, roles in wanted.library_roles.items() for role in roles}
        and set(person.libraries) >= set(wanted.library_roles)
        and float(person.min_hours_per_week) == wanted.min_hours
        and person.target_hours_per_week == wanted.target_hours
        and person.max_hours_per_week == wanted.max_hours
        and {s.id for s in person.skills} == {s.id for s in wanted.skills}
        and {t.id for t in person.topics} == {t.id for t in wanted.topics}
    )


def apply_import(session: Session, actor: Person | None, text: str) -> ImportResult:
    """Create and update the people of the file; refuses while any row has an error.

    Returns the people created (to be invited by the caller) and updated. Flushes.
    """
    plan = plan_import(session, actor, text)
    assert actor is not None
    if not plan.ok:
        bad = [r.line for r in plan.rows if r.errors]
        if plan.file_errors:
            reason = plan.file_errors[0]
        else:
            reason = _(
                "rows with errors (lines %(lines)s): correct them and check again",
                lines=", ".join(str(n) for n in bad),
            )
        raise input_error({"file": reason})
    created, updated, unchanged = [], [], 0
    for row in plan.rows:
        wanted = row.wanted
        assert wanted is not None
        if row.outcome == Outcome.UNCHANGED:
            unchanged += 1
            continue
        person = accounts.find_by_email(session, wanted.email)
        if person is None:
            person = Person(email=wanted.email, name=wanted.name)
            session.add(person)
            created.append(person)
        else:
            updated.append(person)
        person.name = wanted.name
        person.set_library_roles(wanted.library_roles)
        person.min_hours_per_week = wanted.min_hours
        person.target_hours_per_week = wanted.target_hours
        person.max_hours_per_week = wanted.max_hours
        person.skills = sorted(wanted.skills, key=lambda s: s.code)
        person.topics = sorted(wanted.topics, key=lambda t: t.name)
    session.flush()
    audit.record(
        session,
        audit.Action.PEOPLE_IMPORTED,
        actor=actor,
        subject="people",
        details={
            "created": [p.id for p in created],
            "updated": [p.id for p in updated],
            "unchanged": unchanged,
        },
    )
    session.flush()
    return ImportResult(created, updated, unchanged)
