"""Public booking pages: pick a topic (or a person), see free times by day, book one."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel import dates
from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from scheduler.booking.appointments import book as svc
from scheduler.booking.appointments import queries
from scheduler.booking.appointments.availability import Slot
from scheduler.booking.appointments.queries import LibrarianProfile
from scheduler.booking.appointments.slots import SlotQuery, find_slots, slot_at
from scheduler.errors import DomainError, InputError
from scheduler.extensions import db
from scheduler.inputs import parse_date, parse_id, parse_instant, parse_mode
from scheduler.models import Library, Person, Topic
from scheduler.timeutil import utcnow
from scheduler.web import current_site
from scheduler.web.appointments import bp, public_write_limit
from scheduler.web.appointments.forms import MODE_LABELS, patron_form
from scheduler.web.forms import errors_to_form
from scheduler.web.i18n import page_language

DAYS_SHOWN = 7
# How far "first available" looks ahead, a week at a time, when the week asked is empty.
LOOKAHEAD_WEEKS = 8
PARTS_OF_DAY = (("morning", 12), ("afternoon", 17), ("evening", 24))  # until this hour


def part_of_day(hour: int) -> str:
    return next(name for name, until in PARTS_OF_DAY if hour < until)


@dataclass
class LibrarianTimes:
    profile: LibrarianProfile
    slots: list[Slot] = field(default_factory=list)
    # The same slots by part of the day (morning, afternoon, evening), in time order.
    by_part: OrderedDict[str, list[Slot]] = field(default_factory=OrderedDict)

    @property
    def modes(self) -> list[Any]:
        """Every way to meet this librarian offers in these slots, once each."""
        return list(dict.fromkeys(m for s in self.slots for m in s.modes))

    @property
    def library_ids(self) -> list[int]:
        return list(dict.fromkeys(s.library_id for s in self.slots if s.library_id))


@dataclass
class DayTimes:
    day: date
    librarians: list[LibrarianTimes] = field(default_factory=list)


def libraries_by_id() -> dict[int, Library]:
    return {lib.id: lib for lib in db.session.scalars(select(Library).order_by(Library.position))}


def group_by_day(
    slots: list[Slot], profiles: dict[int, LibrarianProfile], libraries: dict[int, Library]
) -> list[DayTimes]:
    """Slots by local date, then by librarian (in order of their first free time)."""
    default_tz = current_app.config["TIMEZONE"]
    days: OrderedDict[date, OrderedDict[int, LibrarianTimes]] = OrderedDict()
    for slot in slots:
        lib = libraries.get(slot.library_id)
        local = slot.start.astimezone(ZoneInfo(lib.timezone if lib else default_tz))
        people = days.setdefault(local.date(), OrderedDict())
        entry = people.get(slot.librarian_id)
        if entry is None:
            entry = people[slot.librarian_id] = LibrarianTimes(profiles[slot.librarian_id])
        entry.slots.append(slot)
        entry.by_part.setdefault(part_of_day(local.hour), []).append(slot)
    return [DayTimes(day, list(people.values())) for day, people in days.items()]


def zone_name(tz: str) -> str:
    """ "Oslo time": the zone as people say it, in the page's language."""
    city = dates.get_timezone_location(tz, locale=get_locale() or "en", return_city=True)
    return _("%(city)s time", city=city)


def today_local() -> date:
    return utcnow().astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()


@dataclass(frozen=True)
class Week:
    """The seven days a page shows, from ``?from=`` (never before today)."""

    first: date
    today: date

    @property
    def last(self) -> date:
        return self.first + timedelta(days=DAYS_SHOWN - 1)

    @property
    def previous(self) -> date | None:
        return (
            max(self.first - timedelta(days=DAYS_SHOWN), self.today)
            if self.first > self.today
            else None
        )

    @property
    def next(self) -> date:
        return self.first + timedelta(days=DAYS_SHOWN)


def week_from_args() -> Week:
    today = today_local()
    try:
        first = parse_date(request.args.get("from"), "from") or today
    except InputError:
        first = today
    return Week(max(first, today), today)


def iso(value: datetime) -> str:
    return value.isoformat()


@bp.get("/book/")
def index() -> Any:
    return render_template(
        "appointments/index.html",
        groups=queries.topic_groups(db.session),
        loose_topics=queries.ungrouped_topics(db.session),
    )


@bp.get("/book/people")
def people() -> Any:
    return render_template(
        "appointments/people.html",
        librarians=queries.public_librarians(db.session),
        libraries=libraries_by_id(),
        mode_labels=MODE_LABELS,
    )


@bp.get("/book/group/<slug>")
def group(slug: str) -> Any:
    found = queries.group_by_slug(db.session, slug)
    if found is None:
        abort(404)
    return render_template("appointments/group.html", group=found)


def _filters() -> tuple[int | None, Any]:
    try:
        library_id = parse_id(request.args.get("library"), "library", required=False)
        mode = parse_mode(request.args.get("mode"))
    except InputError:
        return None, None
    return library_id, mode


@bp.get("/book/topic/<slug>")
def topic(slug: str) -> Any:
    """Free times for a topic across every librarian who covers it, a week at a time.

    Without a chosen week the page opens on the first week with a free time (looking
    up to eight weeks ahead), so nobody has to click "Later" through empty weeks.
    """
    found = queries.topic_by_slug(db.session, slug)
    if found is None:
        abort(404)
    week = week_from_args()
    library_id, mode = _filters()
    who = queries.public_librarians(db.session, topic_id=found.id)
    try:
        person_id = parse_id(request.args.get("person"), "person", required=False)
    except InputError:
        person_id = None
    if person_id not in {p.id for p in who}:
        person_id = None
    site = current_site()

    def search(first: date, last: date) -> list[Slot]:
        query = SlotQuery(
            first, last, topic_id=found.id, librarian_id=person_id, library_id=library_id,
            mode=mode,
        )  # fmt: skip
        return find_slots(
            db.session, query, now=site.now, default_tz=site.default_tz,
            busy_policy=site.busy_policy,
        )  # fmt: skip

    slots = search(week.first, week.last)
    jumped = False
    if not slots and "from" not in request.args:
        for _n in range(LOOKAHEAD_WEEKS - 1):
            week = Week(week.next, week.today)
            slots = search(week.first, week.last)
            if slots:
                jumped = True
                break
    profiles = queries.librarian_profiles(db.session, {s.librarian_id for s in slots})
    libraries = libraries_by_id()
    days = group_by_day(slots, profiles, libraries)
    counts = {d.day: sum(len(e.slots) for e in d.librarians) for d in days}
    strip = [
        (week.first + timedelta(days=i), counts.get(week.first + timedelta(days=i), 0))
        for i in range(DAYS_SHOWN)
    ]
    first_slot = min(slots, key=lambda s: s.start) if slots else None
    zones = {lib.timezone for lib in libraries.values()} or {site.default_tz}
    return render_template(
        "appointments/topic.html",
        topic=found,
        days=days,
        strip=strip,
        first_slot=first_slot,
        first_profile=profiles.get(first_slot.librarian_id) if first_slot else None,
        jumped=jumped,
        who=who,
        person_id=person_id,
        libraries=libraries,
        week=week,
        library_id=library_id,
        mode=mode,
        mode_labels=MODE_LABELS,
        zone=sorted(zones)[0] if len(zones) == 1 else site.default_tz,
        zone_name=zone_name(sorted(zones)[0] if len(zones) == 1 else site.default_tz),
        iso=iso,
    )


@bp.get("/book/librarian/<id:person_id>")
def librarian(person_id: int) -> Any:
    """One librarian's profile and free times; the topic chosen goes on to the form."""
    person = db.session.get(Person, person_id)
    if person is None or not (person.bookable and person.active):
        abort(404)
    profile = queries.librarian_profiles(db.session, [person.id])[person.id]
    if not profile.topics:
        abort(404)
    try:
        topic_id = parse_id(request.args.get("topic"), "topic", required=False)
    except InputError:
        topic_id = None
    chosen = next((t for t in profile.topics if t.id == topic_id), profile.topics[0])
    week = week_from_args()
    site = current_site()
    slots = find_slots(
        db.session,
        SlotQuery(week.first, week.last, librarian_id=person.id),
        now=site.now,
        default_tz=site.default_tz,
        busy_policy=site.busy_policy,
    )
    libraries = libraries_by_id()
    return render_template(
        "appointments/librarian.html",
        profile=profile,
        topic=chosen,
        days=group_by_day(slots, {person.id: profile}, libraries),
        libraries=libraries,
        week=week,
        mode_labels=MODE_LABELS,
        iso=iso,
    )


@bp.route("/book/new", methods=["GET", "POST"])
@public_write_limit
def new() -> Any:
    """The short form for one chosen time; the confirmation page is the manage page."""

    def done(booked: svc.Booked) -> Any:
        if booked.needs_verification:
            appointment = booked.appointment
            session["booking_check_email"] = {
                "email": appointment.patron_email,
                "until": iso(appointment.hold_expires_at),
                "tz": appointment.library.timezone
                if appointment.library
                else current_app.config["TIMEZONE"],
            }
            return redirect(url_for("appointments.check_email"))
        flash(_("You are booked. We have sent you a confirmation by e-mail."), "success")
        return redirect(url_for("appointments.manage", token=booked.manage_token))

    return booking_form(actor=None, done=done, back_endpoint="appointments.topic")


def booking_form(*, actor: Person | None, done: Callable[[svc.Booked], Any], back_endpoint: str):
    """Show and handle the booking form for the time in the query string.

    Shared by the public page and the desk (where ``actor`` is the staff member).
    """
    try:
        librarian_id = parse_id(request.args.get("librarian"), "librarian")
        topic_id = parse_id(request.args.get("topic"), "topic")
        library_id = parse_id(request.args.get("library"), "library", required=False)
        start = parse_instant(request.args.get("start"), "start")
    except InputError:
        abort(404)
    person = db.session.get(Person, librarian_id)
    chosen = db.session.get(Topic, topic_id)
    if person is None or chosen is None or not person.bookable:
        abort(404)
    site = current_site()
    slot = slot_at(
        db.session,
        person.id,
        start,
        now=site.now,
        default_tz=site.default_tz,
        busy_policy=site.busy_policy,
        library_id=library_id,
    )
    questions = chosen.group.questions if chosen.group else []
    form = patron_form(questions, slot.modes if slot else ())
    if actor is not None:
        form.name.label.text = _("Patron's name")
        form.email.label.text = _("Patron's e-mail address")
        form.message.label.text = _("What does the patron need help with?")
    status = 200
    if slot is None:
        status = 409
        form.form_errors.append(_("Sorry, this time is no longer free. Please choose another."))
    elif form.validate_on_submit():
        wanted = svc.BookingRequest(
            librarian_id=person.id,
            topic_id=chosen.id,
            start=start,
            mode=parse_mode(form.mode.data),
            name=form.name.data or "",
            email=form.email.data or "",
            message=form.message.data,
            answers=form.answers(),
            library_id=library_id,
            locale=page_language(),
        )
        try:
            booked = svc.book(db.session, wanted, site=site, actor=actor)
        except DomainError as exc:
            errors_to_form(form, exc, {f"answers.{q.id}": f"q_{q.id}" for q in questions})
            status = exc.status
        else:
            return done(booked)
    elif form.is_submitted():
        status = 422
    library = db.session.get(Library, slot.library_id) if slot else None
    profile = queries.librarian_profiles(db.session, [person.id])[person.id]
    return render_template(
        "appointments/form.html",
        form=form,
        profile=profile,
        topic=chosen,
        start=start,
        end=slot.end if slot else None,
        library=library,
        desk=actor is not None,
        back_url=url_for(back_endpoint, slug=chosen.slug)
        if back_endpoint == "appointments.topic"
        else url_for(back_endpoint, topic=chosen.id),
        retention_days=current_app.config["RETENTION_DAYS"],
        restricted=chosen.group.email_domains if chosen.group else [],
    ), status


@bp.get("/book/check-email")
def check_email() -> Any:
    """After a booking on a restricted page: "confirm your address with the link we sent"."""
    pending = session.get("booking_check_email")
    if not pending:
        return redirect(url_for("appointments.index"))
    return render_template(
        "appointments/check_email.html",
        email=pending["email"],
        until=datetime.fromisoformat(pending["until"]),
        tz=pending["tz"],
    )
