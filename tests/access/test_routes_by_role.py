"""Every staff, leader and admin route, called by each demo role for library A and B.

The roles are the demo's: an administrator, and the section leader, a librarian and a
first-line staff member of library A, plus someone not signed in. Each route is called
for the objects of library A (the actors' own) and of library B (another library's),
and the answer must be what :data:`TABLE` says:

- ``ok``: let in (200, a redirect, or, for a POST without a form, the form's refusal:
  400/409/422 — the request got past every check of who may do it);
- ``403``: refused, nothing changed; ``404``: not found for this person;
- ``login``: sent to the sign-in page.

A route under /staff, /leader or /admin that is missing from the table fails the test,
so a new route must say who may use it. Every POST gets a fresh set of objects for each
role, so one role's change (a removed service point) never decides another's answer.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import pytest
from flask import url_for

from scheduler import accounts
from scheduler.models import (
    Appointment,
    AppointmentStatus,
    Assignment,
    CalendarSource,
    Channel,
    DemandRule,
    DropInSession,
    EmailState,
    Library,
    Mode,
    OpenShift,
    OutboundEmail,
    Person,
    PublishedShift,
    PublishedShiftStatus,
    Registration,
    RegistrationStatus,
    RequestKind,
    RequestStatus,
    Role,
    RosterPeriod,
    RosterRun,
    RunKind,
    ServicePoint,
    SessionSeries,
    SessionStatus,
    Shift,
    SourceKind,
    StaffRequest,
)

ROLES = ("admin", "leader", "librarian", "first_line", "anonymous")
MISSING = 999_999
PREFIXES = ("/staff/", "/leader/", "/admin/")

# (endpoint, method): one cell per role in ROLES order. A cell is "A/B" (the answer for
# library A's object, then library B's) or a single answer for a route without objects.
TABLE: dict[tuple[str, str], str] = {}


def row(endpoint: str, method: str, cells: str) -> None:
    TABLE[(endpoint, method)] = cells


# Administration: administrators only (the people admin and its import, invitations,
# the e-mail outbox, the system page and its tasks, resetting someone's second factor).
row("admin.edit_person", "GET", "ok/ok 403/403 403/403 403/403 login/login")
row("admin.edit_person", "POST", "ok/ok 403/403 403/403 403/403 login/login")
row("admin.new_person", "GET", "ok 403 403 403 login")
row("admin.new_person", "POST", "ok 403 403 403 login")
row("admin.people", "GET", "ok 403 403 403 login")
row("invitations.invite", "POST", "ok/ok 403/403 403/403 403/403 login/login")
row("outbox.index", "GET", "ok 403 403 403 login")
row("outbox.send_again", "POST", "ok/ok 403/403 403/403 403/403 login/login")
row("people_import.apply", "POST", "ok 403 403 403 login")
row("people_import.check", "GET", "ok 403 403 403 login")
row("people_import.check", "POST", "ok 403 403 403 login")
row("two_factor.reset", "POST", "ok/ok 403/403 403/403 403/403 login/login")
row("system.index", "GET", "ok 403 403 403 login")
row("audit.index", "GET", "ok 403 403 403 login")
# Texts in each language of a drop-in: whoever may edit it in its library.
row("translations.edit", "GET", "ok/ok ok/403 ok/403 403/403 login/login")
row("translations.edit", "POST", "ok/ok ok/403 ok/403 403/403 login/login")
row("audit.export", "GET", "ok 403 403 403 login")
row("system.run_task", "POST", "ok/ok 403/403 403/403 403/403 login/login")

# Libraries, topics, booking pages (topic groups) and skills: administrators only. No
# booking page is arranged here, so its rows show who gets as far as looking (404).
row("admin.edit_group", "GET", "404/404 403/403 403/403 403/403 login/login")
row("admin.edit_group", "POST", "404/404 403/403 403/403 403/403 login/login")
row("admin.edit_library", "GET", "ok/ok 403/403 403/403 403/403 login/login")
row("admin.edit_library", "POST", "ok/ok 403/403 403/403 403/403 login/login")
row("admin.edit_skill", "GET", "ok/ok 403/403 403/403 403/403 login/login")
row("admin.edit_skill", "POST", "ok/ok 403/403 403/403 403/403 login/login")
row("admin.edit_topic", "GET", "ok/ok 403/403 403/403 403/403 login/login")
row("admin.edit_topic", "POST", "ok/ok 403/403 403/403 403/403 login/login")
row("admin.group_questions_post", "POST", "404/404 403/403 403/403 403/403 login/login")
row("admin.groups_list", "GET", "ok 403 403 403 login")
row("admin.libraries_list", "GET", "ok 403 403 403 login")
row("admin.library_hours", "GET", "ok/ok 403/403 403/403 403/403 login/login")
row("admin.library_hours", "POST", "ok/ok 403/403 403/403 403/403 login/login")
row("admin.new_group", "GET", "ok 403 403 403 login")
row("admin.new_group", "POST", "ok 403 403 403 login")
row("admin.new_library", "GET", "ok 403 403 403 login")
row("admin.new_library", "POST", "ok 403 403 403 login")
row("admin.new_skill", "GET", "ok 403 403 403 login")
row("admin.new_skill", "POST", "ok 403 403 403 login")
row("admin.new_topic", "GET", "ok 403 403 403 login")
row("admin.new_topic", "POST", "ok 403 403 403 login")
row("admin.reactivate_group", "POST", "404/404 403/403 403/403 403/403 login/login")
row("admin.reactivate_library", "POST", "ok/ok 403/403 403/403 403/403 login/login")
row("admin.reactivate_skill", "POST", "ok/ok 403/403 403/403 403/403 login/login")
row("admin.reactivate_topic", "POST", "ok/ok 403/403 403/403 403/403 login/login")
row("admin.remove_group", "POST", "404/404 403/403 403/403 403/403 login/login")
row("admin.remove_library", "POST", "ok/ok 403/403 403/403 403/403 login/login")
row("admin.remove_skill", "POST", "ok/ok 403/403 403/403 403/403 login/login")
row("admin.remove_topic", "POST", "ok/ok 403/403 403/403 403/403 login/login")
row("admin.skills_list", "GET", "ok 403 403 403 login")
row("admin.topics_list", "GET", "ok 403 403 403 login")

# The desk: the inquiry log's attendance (librarians and leaders; another library's
# session is not found), statistics, texts, campaigns (none arranged: 404) and demand
# suggestions (the library's leaders).
row("desk_attendance.attendance", "GET", "ok ok ok 403 login")
row("desk_attendance.check_in", "GET", "ok/ok ok/404 ok/404 403/403 login/login")
row("desk_attendance.check_in", "POST", "ok/ok ok/404 ok/404 403/403 login/login")
row("desk_attendance.mark", "POST", "ok/ok ok/404 ok/404 403/403 login/login")
row("desk_attendance.report", "GET", "ok ok 403 403 login")
row("desk_attendance.report_export", "GET", "ok ok 403 403 login")
row("desk_campaigns.export", "GET", "404/404 404/404 403/403 403/403 login/login")
row("desk_campaigns.leader_list", "GET", "ok ok 403 403 login")
row("desk_campaigns.leader_list", "POST", "ok ok 403 403 login")
row("desk_campaigns.printable", "GET", "404/404 404/404 403/403 403/403 login/login")
row("desk_campaigns.review", "GET", "404/404 404/404 403/403 403/403 login/login")
row("desk_campaigns.review_question", "POST", "404/404 404/404 403/403 403/403 login/login")
row("desk_demand.accept", "POST", "ok/ok ok/403 403/403 403/403 login/login")
row("desk_stats.statistics", "GET", "ok ok 403 403 login")
row("desk_stats.statistics_export", "GET", "ok ok 403 403 login")
row("desk_texts.mark_text", "POST", "404/404 404/404 403/403 403/403 login/login")
row("desk_texts.texts", "GET", "ok ok 403 403 login")

# Online booking settings (embedding the booking pages): the library's leaders.
row("embed.libraries", "GET", "ok ok 403 403 login")
row("embed.library_settings", "GET", "ok/ok ok/403 403/403 403/403 login/login")
row("embed.library_settings", "POST", "ok/ok ok/403 403/403 403/403 login/login")

# Roster set-up: the leaders of the library in the URL (an administrator everywhere).
row("roster_setup.delete_rule", "GET", "ok/ok ok/403 403/403 403/403 login/login")
row("roster_setup.delete_rule", "POST", "ok/ok ok/403 403/403 403/403 login/login")
row("roster_setup.demand", "GET", "ok/ok ok/403 403/403 403/403 login/login")
row("roster_setup.demand", "POST", "ok/ok ok/403 403/403 403/403 login/login")
row("roster_setup.edit_member", "GET", "ok/ok ok/403 403/403 403/403 login/login")
row("roster_setup.edit_member", "POST", "ok/ok ok/403 403/403 403/403 login/login")
row("roster_setup.edit_point", "GET", "ok/ok ok/403 403/403 403/403 login/login")
row("roster_setup.edit_point", "POST", "ok/ok ok/403 403/403 403/403 login/login")
row("roster_setup.edit_rule", "GET", "ok/ok ok/403 403/403 403/403 login/login")
row("roster_setup.edit_rule", "POST", "ok/ok ok/403 403/403 403/403 login/login")
row("roster_setup.hours", "GET", "ok/ok ok/403 403/403 403/403 login/login")
row("roster_setup.hours", "POST", "ok/ok ok/403 403/403 403/403 login/login")
row("roster_setup.index", "GET", "ok ok 403 403 login")
row("roster_setup.points", "GET", "ok/ok ok/403 403/403 403/403 login/login")
row("roster_setup.points", "POST", "ok/ok ok/403 403/403 403/403 login/login")
row("roster_setup.pool", "GET", "ok/ok ok/403 403/403 403/403 login/login")
row("roster_setup.pool", "POST", "ok/ok ok/403 403/403 403/403 login/login")
row("roster_setup.preview", "GET", "ok/ok ok/403 403/403 403/403 login/login")
row("roster_setup.remove_member", "GET", "ok/ok ok/403 403/403 403/403 login/login")
row("roster_setup.remove_member", "POST", "ok/ok ok/403 403/403 403/403 login/login")
row("roster_setup.remove_point", "GET", "ok/ok ok/403 403/403 403/403 login/login")
row("roster_setup.remove_point", "POST", "ok/ok ok/403 403/403 403/403 login/login")

# Rosters (periods, runs, review, edits, publishing, repair): the library's leaders.
row("roster_review.add", "GET", "ok/ok ok/403 403/403 403/403 login/login")
row("roster_review.add", "POST", "ok/ok ok/403 403/403 403/403 login/login")
row("roster_review.export_csv", "GET", "ok/ok ok/403 403/403 403/403 login/login")
row("roster_review.move", "GET", "ok/ok ok/403 403/403 403/403 login/login")
row("roster_review.move", "POST", "ok/ok ok/403 403/403 403/403 login/login")
row("roster_review.person", "GET", "ok/ok ok/403 403/403 403/403 login/login")
row("roster_review.pins", "GET", "ok/ok ok/403 403/403 403/403 login/login")
row("roster_review.pins", "POST", "ok/ok ok/403 403/403 403/403 login/login")
row("roster_review.publish_page", "GET", "ok/ok ok/403 403/403 403/403 login/login")
row("roster_review.publish_page", "POST", "ok/ok ok/403 403/403 403/403 login/login")
row("roster_review.remove", "GET", "ok/ok ok/403 403/403 403/403 login/login")
row("roster_review.remove", "POST", "ok/ok ok/403 403/403 403/403 login/login")
row("roster_review.repair", "GET", "ok/ok ok/403 403/403 403/403 login/login")
row("roster_review.repair", "POST", "ok/ok ok/403 403/403 403/403 login/login")
row("roster_review.review", "GET", "ok/ok ok/403 403/403 403/403 login/login")
row("roster_review.shift", "GET", "ok/ok ok/403 403/403 403/403 login/login")
row("roster_runs.period_runs", "GET", "ok/ok ok/403 403/403 403/403 login/login")
row("roster_runs.period_runs", "POST", "ok/ok ok/403 403/403 403/403 login/login")
row("roster_runs.periods", "GET", "ok ok 403 403 login")
row("roster_runs.periods", "POST", "ok ok 403 403 login")
row("roster_runs.progress", "GET", "ok/ok ok/403 403/403 403/403 login/login")
row("roster_runs.state", "GET", "ok/ok ok/403 403/403 403/403 login/login")
row("roster_runs.stop", "GET", "ok/ok ok/403 403/403 403/403 login/login")
row("roster_runs.stop", "POST", "ok/ok ok/403 403/403 403/403 login/login")

# Approvals of staff requests and open shifts: the leaders of the request's library.
row("approvals.approve", "POST", "ok/ok ok/403 403/403 403/403 login/login")
row("approvals.decline", "POST", "ok/ok ok/403 403/403 403/403 login/login")
row("approvals.inbox", "GET", "ok ok 403 403 login")
row("approvals.post_open_shift", "POST", "ok ok 403 403 login")
row("approvals.save_settings", "POST", "ok/ok ok/403 403/403 403/403 login/login")
row("approvals.withdraw_open_shift", "POST", "ok/ok ok/403 403/403 403/403 login/login")

# Self-service at the desk: first-line staff, in the libraries where they are first line
# (library B's offer and open shift are refused). Only the person who asked withdraws a
# request. The hours statement is one's own (an administrator, who works nowhere, is
# asked which library: 422).
row("hours.statement", "GET", "422 ok 403 ok login")
row("hours.statement_file", "GET", "422 ok 403 ok login")
row("self_service.accept", "POST", "ok/ok 403/403 403/403 ok/403 login/login")
row("self_service.ask_time_off", "POST", "ok 403 403 ok login")
row("self_service.claim", "POST", "ok/ok 403/403 403/403 ok/403 login/login")
row("self_service.index", "GET", "ok 403 403 ok login")
row("self_service.offer", "POST", "ok 403 403 ok login")
row("self_service.withdraw", "POST", "403/403 403/403 403/403 403/403 login/login")

# Drop-in sessions: librarians and leaders plan them; a session is managed by its hosts,
# its creator and its library's leaders (librarian A hosts A's sessions). Anyone who plans
# sessions may open a session's page; its registrants are shown only to those who manage it.
row("dropin_staff.cancel", "GET", "ok/ok ok/403 ok/403 403/403 login/login")
row("dropin_staff.cancel", "POST", "ok/ok ok/403 ok/403 403/403 login/login")
row("dropin_staff.cancel_whole_series", "GET", "ok/ok ok/403 ok/403 403/403 login/login")
row("dropin_staff.cancel_whole_series", "POST", "ok/ok ok/403 ok/403 403/403 login/login")
row("dropin_staff.copy", "GET", "ok/ok ok/403 ok/403 403/403 login/login")
row("dropin_staff.copy", "POST", "ok/ok ok/403 ok/403 403/403 login/login")
row("dropin_staff.detail", "GET", "ok/ok ok/ok ok/ok 403/403 login/login")
row("dropin_staff.edit", "GET", "ok/ok ok/403 ok/403 403/403 login/login")
row("dropin_staff.edit", "POST", "ok/ok ok/403 ok/403 403/403 login/login")
row("dropin_staff.edit_series", "GET", "ok/ok ok/403 ok/403 403/403 login/login")
row("dropin_staff.edit_series", "POST", "ok/ok ok/403 ok/403 403/403 login/login")
row("dropin_staff.index", "GET", "ok ok ok 403 login")
row("dropin_staff.new", "GET", "ok ok ok 403 login")
row("dropin_staff.new", "POST", "ok ok ok 403 login")
row("dropin_staff.registrants_export", "GET", "ok/ok ok/403 ok/403 403/403 login/login")
row("dropin_staff.remove_registrant", "GET", "ok/ok ok/403 ok/403 403/403 login/login")
row("dropin_staff.remove_registrant", "POST", "ok/ok ok/403 ok/403 403/403 login/login")

# Book a librarian, staff side: librarians manage their own availability and appointments
# (another's appointment is not found); administrators anyone's. The desk (first line)
# books for a patron; without a chosen slot the booking page is not found.
row("appointments.appointment", "GET", "ok/ok 403/403 ok/404 403/403 login/login")
row("appointments.appointments", "GET", "ok 403 ok 403 login")
row("appointments.availability", "GET", "ok 403 ok 403 login")
row("appointments.availability", "POST", "ok 403 ok 403 login")
row("appointments.calendar_status", "GET", "ok/ok 404/404 ok/404 404/404 404/404")
row("appointments.cancel_appointment", "GET", "ok/ok 403/403 ok/404 403/403 login/login")
row("appointments.cancel_appointment", "POST", "ok/ok 403/403 ok/404 403/403 login/login")
row("appointments.desk", "GET", "ok 403 403 ok login")
row("appointments.desk_book", "GET", "404 403 403 404 login")
row("appointments.desk_book", "POST", "404 403 403 404 login")

# Everyone's own pages: my page, my shifts, roster wishes, calendar feeds (the links from
# feed events only redirect to the person's own pages).
row("feeds.open_appointment", "GET", "ok/ok ok/ok ok/ok ok/ok login/login")
row("feeds.open_shift", "GET", "ok/ok ok/ok ok/ok ok/ok login/login")
row("feeds.settings", "GET", "ok ok ok ok login")
row("feeds.settings", "POST", "ok ok ok ok login")
row("my_shifts.index", "GET", "ok ok ok ok login")
row("my_shifts.shift", "GET", "ok/ok ok/ok ok/ok ok/ok login/login")
row("roster_wishes.wishes_page", "GET", "ok ok ok ok login")
row("roster_wishes.wishes_page", "POST", "ok ok ok ok login")
row("staff.dashboard", "GET", "ok ok ok ok login")


# The objects of one library ---------------------------------------------------------


@dataclass
class Side:
    name: str
    library: Library
    leader: Person
    librarian: Person
    first_line: Person
    point: ServicePoint
    rule: DemandRule
    period: RosterPeriod
    shift: Shift
    assignment: Assignment
    run: RosterRun
    dropin: DropInSession
    series: SessionSeries
    registration: Registration
    appointment: Appointment
    published_shift: PublishedShift
    source: CalendarSource
    email: OutboundEmail
    request: StaffRequest
    open_shift: OpenShift
    _ids: dict[str, int] | None = field(default=None, repr=False)

    def params(self) -> dict[str, int]:
        """The URL arguments for this side's objects (ids never change; reading them from
        the expired objects after every request cost a quarter of the walk)."""
        if self._ids is None:
            self._ids = self._read_ids()
        return dict(self._ids)

    def _read_ids(self) -> dict[str, int]:
        return {
            "library_id": self.library.id,
            "point_id": self.point.id,
            "rule_id": self.rule.id,
            "person_id": self.first_line.id,
            "period_id": self.period.id,
            "run_id": self.run.id,
            "session_id": self.dropin.id,
            "series_id": self.series.id,
            "registration_id": self.registration.id,
            "appointment_id": self.appointment.id,
            "shift_id": self.published_shift.id,
            "source_id": self.source.id,
            "email_id": self.email.id,
            "request_id": self.request.id,
            "open_shift_id": self.open_shift.id,
            "name": "reminders",  # an upkeep task (not a library's)
            "kind": "dropin",  # the texts in each language of this side's drop-in
            "obj_id": self.dropin.id,
            "topic_id": self.appointment.topic_id,
            "skill_id": self.first_line.skills[0].id,
            # Not arranged here (booking pages, desk log and campaigns): a row that does
            # not exist, so the table shows who gets as far as looking for it (404).
            "group_id": MISSING,
            "question_id": MISSING,
            "inquiry_id": MISSING,
            "campaign_id": MISSING,
            "draft_shift_id": self.shift.id,
        }


def _side(db, create_library, create_person, create_topic, name: str) -> Side:
    lib = create_library(name=f"{name} library", is_main=name == "A")
    leader = create_person(Role.SECTION_LEADER, libraries=[lib], name=f"Leader {name}")
    librarian = create_person(Role.LIBRARIAN, libraries=[lib], name=f"Librarian {name}")
    first_line = create_person(
        Role.FIRST_LINE, libraries=[lib], name=f"Desk {name}", skills=["desk"]
    )
    point = ServicePoint(library=lib, name=f"Desk {name}", channel=Channel.DESK, position=0)
    db.session.add(point)
    db.session.flush()
    rule = DemandRule(
        service_point=point,
        weekdays="0",
        start_time=time(9),
        end_time=time(11),
        block_minutes=120,
        min_staff=1,
        max_staff=1,
    )
    monday = date.today() + timedelta(days=14 - date.today().weekday())
    period = RosterPeriod(library=lib, start_date=monday, weeks=1, created_by_id=leader.id)
    starts = datetime.combine(monday, time(8), tzinfo=UTC)
    shift = Shift(
        period=period, service_point=point, starts_at=starts, ends_at=starts + timedelta(hours=2)
    )
    db.session.add_all([rule, period, shift])
    db.session.flush()
    assignment = Assignment(shift=shift, person=first_line)
    db.session.add(assignment)
    run = RosterRun(period=period, kind=RunKind.GENERATE, created_by_id=leader.id)
    db.session.add(run)

    day = datetime.now(UTC) + timedelta(days=10)
    series = SessionSeries(title=f"Series {name}", created_by_id=librarian.id)
    sessions = [
        DropInSession(
            library=lib,
            series=series,
            title=f"Drop-in {name}",
            starts_at=day + timedelta(weeks=n),
            ends_at=day + timedelta(weeks=n, hours=1),
            status=SessionStatus.ANNOUNCED,
            registration_required=True,
            capacity=10,
            created_by_id=librarian.id,
            hosts=[librarian],
        )
        for n in range(2)
    ]
    db.session.add_all([series, *sessions])
    db.session.flush()
    registration = Registration(
        session_id=sessions[0].id,
        name="Student",
        email=f"student-{name.lower()}-{secrets.token_hex(3)}@uni.example",
        status=RegistrationStatus.REGISTERED,
        manage_token_hash=accounts.token_digest(secrets.token_urlsafe(16)),
    )
    appointment = Appointment(
        librarian=librarian,
        library=lib,
        topic=create_topic(),
        starts_at=day,
        ends_at=day + timedelta(minutes=45),
        mode=Mode.IN_PERSON,
        status=AppointmentStatus.BOOKED,
        patron_name="Pat Patron",
        patron_email="pat@student.example",
        manage_token_hash=accounts.token_digest(secrets.token_urlsafe(16)),
    )
    published = PublishedShift(
        person=first_line,
        service_point=point,
        starts_at=day,
        ends_at=day + timedelta(hours=2),
        status=PublishedShiftStatus.CONFIRMED,
    )
    source = CalendarSource(
        person_id=librarian.id,
        kind=SourceKind.ICS,
        label="Outlook",
        url_sealed="sealed",
        url_hint="https://outlook.example/…",
    )
    email = OutboundEmail(
        to_address=f"someone-{name.lower()}@uni.example",
        subject="s",
        body_text="b",
        state=EmailState.FAILED,
    )
    # A colleague at the desk offers a shift to anyone qualified.
    colleague = create_person(Role.FIRST_LINE, libraries=[lib], name=f"Colleague {name}")
    request = StaffRequest(
        library=lib,
        period=period,
        kind=RequestKind.SWAP,
        status=RequestStatus.OFFERED,
        requester=colleague,
        starts_at=day,
        ends_at=day + timedelta(hours=2),
        published_shift=published,
        shift_sequence=0,
    )
    open_shift = OpenShift(
        library=lib, period=period, shift=shift, places=1, posted_by_id=leader.id
    )
    db.session.add_all([registration, appointment, published, source, email, request, open_shift])
    db.session.flush()
    return Side(
        name,
        lib,
        leader,
        librarian,
        first_line,
        point,
        rule,
        period,
        shift,
        assignment,
        run,
        sessions[0],
        series,
        registration,
        appointment,
        published,
        source,
        email,
        request,
        open_shift,
    )


@dataclass
class World:
    a: Side
    b: Side
    admin: Person

    def actor(self, role: str) -> Person | None:
        return {
            "admin": self.admin,
            "leader": self.a.leader,
            "librarian": self.a.librarian,
            "first_line": self.a.first_line,
            "anonymous": None,
        }[role]


@pytest.fixture
def make_world(db, create_library, create_person, create_topic):
    def _make() -> World:
        world = World(
            _side(db, create_library, create_person, create_topic, "A"),
            _side(db, create_library, create_person, create_topic, "B"),
            create_person(Role.ADMIN, name="Admin"),
        )
        db.session.commit()
        return world

    return _make


# Calling the routes -----------------------------------------------------------------


def _outcome(response, method: str) -> str:
    status = response.status_code
    if status in (301, 302, 303) and "/sign-in" in response.headers.get("Location", ""):
        return "login"
    if status in (200, 301, 302, 303) or (method == "POST" and status in (400, 409, 422)):
        return "ok"
    return str(status)


# What a POST sends besides the URL, for routes whose object travels in the form.
POST_DATA = {
    "roster_review.move": lambda side: {"assignment": str(side.assignment.id)},
    "roster_review.remove": lambda side: {"assignment": str(side.assignment.id)},
}


def _staff_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(PREFIXES):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method


def _call(client, login, app, rule, method: str, world: World, role: str, side: Side | None):
    with client.session_transaction() as sess:
        sess.clear()  # signed out
    actor = world.actor(role)
    if actor is not None:
        login(actor)
    params = side.params() if side else {}
    if side and rule.endpoint == "roster_review.shift":
        # A draft shift there, a published one elsewhere.
        params["shift_id"] = params["draft_shift_id"]
    values = {arg: params[arg] for arg in rule.arguments}
    with app.test_request_context():
        url = url_for(rule.endpoint, **values)
    data = (
        POST_DATA[rule.endpoint](side) if method == "POST" and rule.endpoint in POST_DATA else None
    )
    response = client.open(url, method=method, data=data, headers={"Accept-Language": "en"})
    return _outcome(response, method)


def test_every_staff_route_is_in_the_table(app) -> None:
    routes = {(rule.endpoint, method) for rule, method in _staff_rules(app)}
    missing = sorted(routes - set(TABLE))
    assert not missing, f"routes without a row in TABLE (say who may use them): {missing}"
    assert not sorted(set(TABLE) - routes), "rows for routes that no longer exist"


@pytest.mark.slow  # some 1,500 requests: minutes on a busy machine
@pytest.mark.timeout(1800)
@pytest.mark.parametrize("prefix", PREFIXES)  # three parts, for the test processes to share
def test_routes_answer_each_role_as_the_table_says(
    app, client, login, make_world, prefix: str
) -> None:
    found: dict[tuple[str, str], str] = {}
    wrong = []
    rules = sorted(
        ((rule, method) for rule, method in _staff_rules(app) if rule.rule.startswith(prefix)),
        key=lambda rm: (rm[0].endpoint, rm[1]),
    )
    assert rules, prefix
    world, changed = make_world(), False
    for rule, method in rules:
        cells = []
        for role in ROLES:
            answers = []
            for side in (world.a, world.b) if rule.arguments else (None,):
                if changed:  # a POST that was let in may have changed the objects: new ones
                    world, changed = make_world(), False
                    side = None if side is None else (world.a if side.name == "A" else world.b)
                answer = _call(client, login, app, rule, method, world, role, side)
                changed = method == "POST" and answer == "ok"
                answers.append(answer)
            cells.append("/".join(answers))
        got = " ".join(cells)
        found[(rule.endpoint, method)] = got
        expected = TABLE.get((rule.endpoint, method))
        if expected is not None and got != expected:
            wrong.append(f"{method} {rule.rule} ({rule.endpoint}): expected {expected}, got {got}")
    if os.environ.get("ROUTES_TABLE"):  # print the answers found, to write the table
        for (endpoint, method), got in sorted(found.items()):
            print(f'row("{endpoint}", "{method}", "{got}")')
    assert not wrong, "\n".join(["roles: " + " ".join(ROLES), *wrong])
