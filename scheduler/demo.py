"""Demo data: a university library with five branches, staff, topics and sessions.

Deterministic for a given start date (a seeded random generator), so the demo looks the
same on every machine, and realistic enough to try every feature: the main library is
open every day and has its first-line desk and back office on the ground floor; about
30 first-line staff with at least 4 hours a week; about 40 librarians and subject
specialists with topics and weekly availability; a few weeks of drop-in sessions.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import date, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler import accounts
from scheduler.booking.appointments import meeting_links
from scheduler.demo_translations import translate_demo
from scheduler.desk.demo_data import seed_desk_demo
from scheduler.models import (
    Absence,
    AbsenceKind,
    Appointment,
    AvailabilityException,
    AvailabilityRule,
    BookingSettings,
    Channel,
    ClosedDate,
    DemandRule,
    DropInSession,
    ExceptionKind,
    GroupQuestion,
    Library,
    OpeningHours,
    Person,
    RequestKind,
    RequestStatus,
    Role,
    ServicePoint,
    SessionSeries,
    Skill,
    StaffRequest,
    Topic,
    TopicGroup,
)
from scheduler.timeutil import local_to_utc, monday_of

TZ = "Europe/Oslo"
DEMO_DOMAIN = "demo.example"

# (slug, name, address, is_main, weekday hours) — hours as (weekday, opens, closes)
_WEEKDAYS_9_16 = [(d, time(9), time(16)) for d in range(5)]
LIBRARIES = [
    (
        "main",
        "University Library, Main Building",
        "Universitetsgata 1",
        True,
        [(d, time(8), time(20)) for d in range(4)]  # Monday-Thursday
        + [(4, time(8), time(18)), (5, time(10), time(16)), (6, time(12), time(16))],
    ),
    (
        "health",
        "Health Sciences Library",
        "Sykehusveien 12",
        False,
        [(d, time(8, 30), time(18)) for d in range(5)],
    ),
    ("law", "Law Library", "Domkirkegata 4", False, _WEEKDAYS_9_16),
    (
        "science",
        "Science and Technology Library",
        "Realfagbygget, Høgskoleringen 5",
        False,
        [(d, time(8), time(17)) for d in range(5)],
    ),
    ("arts", "Humanities and Arts Library", "Dragvoll allé 2", False, _WEEKDAYS_9_16),
]

# (group slug, group name, email domains, [(topic slug, topic name), ...])
TOPIC_GROUPS = [
    (
        "health",
        "Health sciences",
        "uni.example,student.uni.example",
        [
            ("nursing", "Nursing"),
            ("medicine", "Medicine"),
            ("public-health", "Public health"),
            ("systematic-reviews", "Systematic reviews"),
            ("physiotherapy", "Physiotherapy"),
        ],
    ),
    (
        "law",
        "Law",
        None,
        [
            ("law", "Law"),
            ("legal-sources", "Legal sources and Lovdata"),
            ("eu-law", "EU and international law"),
        ],
    ),
    (
        "science",
        "Science and technology",
        None,
        [
            ("computer-science", "Computer science"),
            ("engineering", "Engineering"),
            ("mathematics", "Mathematics"),
            ("chemistry", "Chemistry"),
            ("biology", "Biology"),
        ],
    ),
    (
        "humanities",
        "Humanities and social sciences",
        None,
        [
            ("history", "History"),
            ("literature", "Literature"),
            ("philosophy", "Philosophy"),
            ("psychology", "Psychology"),
            ("economics", "Economics"),
            ("education", "Education"),
        ],
    ),
    (
        "research",
        "Research support",
        None,
        [
            ("reference-management", "Reference management (EndNote, Zotero)"),
            ("systematic-searching", "Systematic searching"),
            ("open-access", "Open access publishing"),
            ("research-data", "Research data management"),
            ("thesis-writing", "Writing your thesis"),
            ("copyright", "Copyright and reuse"),
        ],
    ),
]

FIRST_NAMES = [
    "Kari",
    "Ola",
    "Ingrid",
    "Lars",
    "Sigrid",
    "Nils",
    "Astrid",
    "Erik",
    "Solveig",
    "Jonas",
    "Marte",
    "Henrik",
    "Ida",
    "Magnus",
    "Nora",
    "Sindre",
    "Hanne",
    "Eirik",
    "Thea",
    "Kristian",
    "Silje",
    "Anders",
    "Maja",
    "Jørgen",
    "Ragnhild",
    "Tobias",
    "Live",
    "Even",
    "Tuva",
    "Håkon",
    "Ahmed",
    "Fatima",
    "Mei",
    "Oskar",
    "Emilie",
    "Sander",
    "Aisha",
    "Petter",
    "Linnea",
    "Vetle",
    "Amalie",
    "Ibrahim",
    "Frida",
    "Mathias",
    "Synne",
    "Daniel",
    "Hedda",
    "Ole",
    "Mari",
    "Yusuf",
    "Julie",
    "Stian",
    "Elise",
    "Rune",
    "Ane",
    "Bjørn",
    "Karin",
    "Trond",
    "Vilde",
    "Geir",
    "Helene",
    "Arne",
    "Marit",
    "Sven",
    "Liv",
    "Odd",
    "Tone",
    "Kjetil",
    "Anne",
    "Per",
]
LAST_NAMES = [
    "Hansen",
    "Johansen",
    "Olsen",
    "Larsen",
    "Andersen",
    "Pedersen",
    "Nilsen",
    "Kristiansen",
    "Jensen",
    "Karlsen",
    "Johnsen",
    "Pettersen",
    "Eriksen",
    "Berg",
    "Haugen",
    "Hagen",
    "Johannessen",
    "Andreassen",
    "Jacobsen",
    "Dahl",
    "Jørgensen",
    "Halvorsen",
    "Henriksen",
    "Lund",
    "Sørensen",
    "Jakobsen",
    "Moen",
    "Gundersen",
    "Iversen",
    "Strand",
    "Solberg",
    "Svendsen",
    "Eide",
    "Knutsen",
    "Martinsen",
    "Paulsen",
    "Bakken",
    "Kristoffersen",
    "Mathisen",
    "Lie",
    "Amundsen",
    "Nguyen",
    "Rasmussen",
    "Ali",
    "Lunde",
    "Solheim",
]

SKILLS = [
    ("desk", "Information desk"),
    ("phone", "Phone"),
    ("chat", "Chat"),
    ("email", "E-mail"),
    ("opening", "Opening and closing routines"),
]


@dataclass(frozen=True)
class DemoSignIn:
    role: str
    email: str
    password: str


def is_empty(session: Session) -> bool:
    return not session.scalar(select(func.count()).select_from(Library))


def seed_demo(session: Session, *, today: date, password: str | None = None) -> list[DemoSignIn]:
    """Fill an empty database; returns the sign-ins to print. Flushes, does not commit."""
    rng = random.Random(20270104)
    password = password or secrets.token_urlsafe(9)
    pw_hash = accounts.hash_password(password)  # one hash for every demo account: fast

    skills = {code: Skill(code=code, name=name) for code, name in SKILLS}
    session.add_all(skills.values())

    libraries = _libraries(session, today)
    main = libraries["main"]
    desk, back_office = _service_points(session, libraries)
    _demand(session, desk, back_office)

    topics, groups = _topics(session)
    names = _names(rng, 80)

    def person(email: str, name: str, roles: set[Role], **kw: object) -> Person:
        p = accounts.create_person(
            session, email=email, name=name, roles=roles, password_hash=pw_hash
        )
        for key, value in kw.items():
            setattr(p, key, value)
        return p

    admin = person(f"admin@{DEMO_DOMAIN}", "Astrid Admin", {Role.ADMIN})
    admin.libraries = [main]
    # The section leader leads the main library (and takes desk shifts there).
    leader = person(
        f"leader@{DEMO_DOMAIN}",
        "Sigrid Seksjonsleder",
        set(),
        min_hours_per_week=4.0,
        max_hours_per_week=8.0,
        target_hours_per_week=4.0,
    )
    leader.grant(Role.SECTION_LEADER, main)
    leader.grant(Role.FIRST_LINE, main)
    leader.skills = [skills["desk"], skills["phone"], skills["chat"], skills["email"]]

    # First-line staff: the duty team, "fewer people, each with more hours".
    first_line = [leader]
    for i in range(30):
        first, last = names.pop()
        email = f"desk@{DEMO_DOMAIN}" if i == 0 else _email(first, last, i)
        target = rng.choice([4, 6, 8, 8, 10, 12])
        p = person(
            email,
            f"{first} {last}",
            set(),
            min_hours_per_week=4.0,
            target_hours_per_week=float(target),
            max_hours_per_week=float(target + rng.choice([2, 4, 6])),
            max_hours_per_day=rng.choice([None, 6.0, 8.0]),
        )
        for lib in [main] if i % 6 else [main, libraries["health"]]:
            p.grant(Role.FIRST_LINE, lib)
        chosen = ["desk", *rng.sample(["phone", "chat", "email"], k=rng.randint(1, 3))]
        if i % 5 == 0:
            chosen.append("opening")
        p.skills = [skills[c] for c in sorted(set(chosen))]
        first_line.append(p)

    # Librarians and subject specialists: "book a librarian".
    all_topics = list(topics.values())
    librarians = []
    branch_for_group = {
        "health": "health",
        "law": "law",
        "science": "science",
        "humanities": "arts",
        "research": "main",
    }
    for i in range(40):
        first, last = names.pop()
        email = f"librarian@{DEMO_DOMAIN}" if i == 0 else _email(first, last, 100 + i)
        group_slug = list(branch_for_group)[i % 5]
        group = groups[group_slug]
        home = libraries[branch_for_group[group_slug]]
        desk_duty = i % 8 == 3  # some specialists also take desk duty
        p = person(
            email,
            f"{first} {last}",
            set(),
            bookable=True,
            title=rng.choice(
                [
                    "Subject librarian",
                    "Academic librarian",
                    "Senior academic librarian",
                    "Research librarian",
                ]
            ),
            bio=f"Helps with {group.name.lower()}: searching, sources and references.",
        )
        own = rng.sample(group.topics, k=min(len(group.topics), rng.randint(2, 3)))
        extra = rng.sample(all_topics[-6:], k=1)  # research-support topics
        p.topics = sorted(set(own + extra), key=lambda t: t.name)
        p.grant(Role.LIBRARIAN, home)
        if desk_duty:
            p.grant(Role.FIRST_LINE, main)
            p.skills = [skills["desk"], skills["chat"]]
            p.target_hours_per_week = 4.0
            p.max_hours_per_week = 6.0
            first_line.append(p)
        session.add(
            BookingSettings(
                person=p,
                slot_minutes=rng.choice([30, 45, 45, 60]),
                buffer_minutes=rng.choice([0, 0, 15]),
                max_per_day=rng.choice([None, 3, 4]),
                meeting_url=f"https://video.{DEMO_DOMAIN}/room/{p.email.split('@')[0]}",
            )
        )
        for weekday in sorted(rng.sample(range(5), k=rng.randint(2, 3))):
            start = rng.choice([time(9), time(10), time(12), time(13)])
            session.add(
                AvailabilityRule(
                    person=p,
                    library=home,
                    weekday=weekday,
                    start_time=start,
                    end_time=time(start.hour + rng.choice([2, 3])),
                    modes=rng.choice(
                        ["in_person", "in_person,online", "online", "in_person,phone"]
                    ),
                )
            )
        librarians.append(p)

    # A few absences, so that rosters and booking have something to work around.
    week = monday_of(today) + timedelta(days=7)
    for p in rng.sample(first_line[1:], k=3):
        day = week + timedelta(days=rng.randint(0, 4))
        session.add(
            Absence(
                person=p,
                kind=AbsenceKind.LEAVE,
                note="Annual leave",
                starts_at=local_to_utc(day, time(0), TZ),
                ends_at=local_to_utc(day + timedelta(days=2), time(0), TZ),
            )
        )

    # Two time-off requests waiting in the section leader's approvals inbox.
    later = monday_of(today) + timedelta(days=21)
    for p, kind, note, day, hours in (
        (first_line[2], AbsenceKind.COURSE, "First-aid course", later + timedelta(days=1), None),
        (first_line[3], AbsenceKind.LEAVE, "Dentist", later + timedelta(days=3), (9, 12)),
    ):
        start, end = (time(hours[0]), time(hours[1])) if hours else (time(0), None)
        session.add(
            StaffRequest(
                library=main,
                kind=RequestKind.TIME_OFF,
                status=RequestStatus.PENDING,
                requester=p,
                absence_kind=kind,
                note=note,
                starts_at=local_to_utc(day, start, TZ),
                ends_at=local_to_utc(day, end, TZ)
                if end is not None
                else local_to_utc(day + timedelta(days=1), time(0), TZ),
            )
        )

    _dropins(session, rng, today, libraries, topics, librarians, admin)
    session.flush()
    _booking(session, today, librarians, first_line[1])
    _dropin_registrations(session)
    seed_desk_demo(
        session,
        today=today,
        library=main,
        desk=desk,
        back_office=back_office,
        staff=first_line,
    )
    translate_demo(session)
    return [
        DemoSignIn("admin", admin.email, password),
        DemoSignIn("section leader", leader.email, password),
        DemoSignIn("librarian", f"librarian@{DEMO_DOMAIN}", password),
        DemoSignIn("first-line staff", f"desk@{DEMO_DOMAIN}", password),
    ]


def _names(rng: random.Random, n: int) -> list[tuple[str, str]]:
    pairs = [(f, last) for f in FIRST_NAMES for last in LAST_NAMES]
    rng.shuffle(pairs)
    seen: set[str] = set()
    out = []
    for first, last in pairs:
        if first in seen:
            continue  # one person per first name keeps the demo easy to follow
        seen.add(first)
        out.append((first, last))
        if len(out) == n:
            break
    return out


def _email(first: str, last: str, n: int) -> str:
    table = str.maketrans({"ø": "o", "å": "a", "æ": "ae", "Ø": "O", "Å": "A", "Æ": "AE"})
    return f"{first.translate(table).lower()}.{last.translate(table).lower()}@{DEMO_DOMAIN}"


def _libraries(session: Session, today: date) -> dict[str, Library]:
    out = {}
    for pos, (slug, name, address, is_main, hours) in enumerate(LIBRARIES):
        lib = Library(
            slug=slug,
            name=name,
            address=address,
            is_main=is_main,
            timezone=TZ,
            position=pos,
            email=f"{slug}@{DEMO_DOMAIN}",
            # The main library makes a video room per online appointment (docs/booking.md).
            meeting_url_template=f"https://meet.jit.si/{slug}-library-{{token}}"
            if is_main
            else None,
        )
        lib.opening_hours = [OpeningHours(weekday=d, opens=o, closes=c) for d, o, c in hours]
        lib.closed_dates = [ClosedDate(date=d, reason=r) for d, r in _holidays(today)]
        session.add(lib)
        out[slug] = lib
    return out


def _holidays(today: date) -> list[tuple[date, str]]:
    """Christmas and New Year closures in the next twelve months."""
    out = []
    for year in (today.year, today.year + 1):
        for d, reason in [
            (date(year, 12, 24), "Christmas Eve"),
            (date(year, 12, 25), "Christmas Day"),
            (date(year, 12, 26), "Boxing Day"),
            (date(year, 12, 31), "New Year's Eve"),
            (date(year, 1, 1), "New Year's Day"),
            (date(year, 5, 17), "Constitution Day"),
        ]:
            if today <= d <= today + timedelta(days=365):
                out.append((d, reason))
    return sorted(out)


def _service_points(
    session: Session, libraries: dict[str, Library]
) -> tuple[ServicePoint, ServicePoint]:
    main = libraries["main"]
    desk = ServicePoint(
        library=main,
        name="Information desk",
        channel=Channel.DESK,
        ground_floor=True,
        first_line=True,
        location="Ground floor, entrance",
        position=0,
    )
    back = ServicePoint(
        library=main,
        name="Back office: phone, e-mail and chat",
        channel=Channel.BACK_OFFICE,
        ground_floor=True,
        first_line=True,
        location="Ground floor, behind the desk",
        position=1,
    )
    # Not rosterable: the reading-room desk upstairs is not part of first line.
    upstairs = ServicePoint(
        library=main,
        name="Reading room desk",
        channel=Channel.DESK,
        ground_floor=False,
        first_line=False,
        location="2nd floor",
        position=2,
    )
    session.add_all([desk, back, upstairs])
    for pos, slug in enumerate(["health", "law", "science", "arts"], start=3):
        session.add(
            ServicePoint(
                library=libraries[slug],
                name="Information desk",
                channel=Channel.DESK,
                ground_floor=True,
                first_line=True,
                position=pos,
            )
        )
    return desk, back


def _demand(session: Session, desk: ServicePoint, back: ServicePoint) -> None:
    # (service point, label, weekdays, start, end, block minutes, min, max, skills)
    # Room above the minimum (max > min) lets every one of the ~35 pool members get
    # their 4 hours a week, even in a week with holidays; chat also runs evenings and
    # weekends, when the desk is quiet.
    rows = [
        (desk, "Weekday daytime", "01234", time(8), time(16), 120, 2, 3, "desk"),
        (desk, "Weekday evening", "0123", time(16), time(20), 120, 1, 2, "desk"),
        (desk, "Friday afternoon", "4", time(16), time(18), 120, 1, 2, "desk"),
        (desk, "Saturday", "5", time(10), time(16), 120, 1, 2, "desk"),  # Saturday
        (desk, "Sunday", "6", time(12), time(16), 120, 1, 2, "desk"),  # Sunday
        (back, "Phone, e-mail and chat", "01234", time(9), time(16), 120, 1, 2, "chat"),
        (back, "Chat, evenings", "0123", time(16), time(20), 120, 1, 1, "chat"),
        (back, "Chat, Saturday", "5", time(10), time(16), 120, 1, 1, "chat"),  # Saturday
        (back, "Chat, Sunday", "6", time(12), time(16), 120, 1, 1, "chat"),  # Sunday
    ]
    for point, label, days, start, end, block, lo, hi, skills in rows:
        session.add(
            DemandRule(
                service_point=point,
                label=label,
                weekdays=days,
                start_time=start,
                end_time=end,
                block_minutes=block,
                min_staff=lo,
                max_staff=hi,
                skills=skills,
            )
        )


def _topics(session: Session) -> tuple[dict[str, Topic], dict[str, TopicGroup]]:
    topics: dict[str, Topic] = {}
    groups: dict[str, TopicGroup] = {}
    for pos, (gslug, gname, domains, rows) in enumerate(TOPIC_GROUPS):
        group = TopicGroup(
            slug=gslug,
            name=gname,
            allowed_email_domains=domains,
            position=pos,
            intro=f"Book a subject librarian for {gname.lower()}.",
        )
        if gslug == "research":
            group.questions = [
                GroupQuestion(
                    position=1, label="Which degree or project is this for?", required=True
                ),
                GroupQuestion(position=2, label="Which reference tool do you use, if any?"),
            ]
        for slug, name in rows:
            t = Topic(slug=slug, name=name, group=group)
            topics[slug] = t
        groups[gslug] = group
        session.add(group)
    return topics, groups


def _dropins(
    session: Session,
    rng: random.Random,
    today: date,
    libraries: dict[str, Library],
    topics: dict[str, Topic],
    librarians: list[Person],
    creator: Person,
) -> None:
    monday = monday_of(today)
    weekly = [
        ("Zotero drop-in", "reference-management", "main", 0, time(12), 60, None),
        ("Systematic searching clinic", "systematic-searching", "health", 2, time(13), 90, 12),
        ("Thesis writing café", "thesis-writing", "arts", 3, time(14), 120, None),
        ("Lovdata for beginners", "legal-sources", "law", 1, time(10), 60, 20),
    ]
    for title, topic_slug, lib_slug, weekday, start, minutes, capacity in weekly:
        series = SessionSeries(title=title, created_by_id=creator.id)
        session.add(series)
        hosts = [p for p in librarians if topics[topic_slug] in p.topics][:2] or librarians[:1]
        for week in range(4):
            day = monday + timedelta(days=7 * week + weekday)
            if day < today:
                continue
            starts = local_to_utc(day, start, TZ)
            session.add(
                DropInSession(
                    series=series,
                    title=title,
                    topic=topics[topic_slug],
                    library=libraries[lib_slug],
                    location="Group room 1"
                    if lib_slug != "main"
                    else "Learning centre, ground floor",
                    starts_at=starts,
                    ends_at=starts + timedelta(minutes=minutes),
                    capacity=capacity,
                    registration_required=capacity is not None,
                    registration_deadline=starts - timedelta(hours=2) if capacity else None,
                    description=f"Bring your questions about {topics[topic_slug].name.lower()}.",
                    hosts=hosts,
                    created_by_id=creator.id,
                )
            )
    # An evening course in three parts, online, with a question and a lunch count later on.
    series = SessionSeries(title="Get started with EndNote", created_by_id=creator.id)
    session.add(series)
    first = monday + timedelta(days=8)
    for part in range(3):
        day = first + timedelta(days=7 * part)
        starts = local_to_utc(day, time(18), TZ)
        session.add(
            DropInSession(
                series=series,
                title=f"Get started with EndNote ({part + 1}/3)",
                topic=topics["reference-management"],
                library=libraries["main"],
                online_url="https://video.uni.example/endnote",
                starts_at=starts,
                ends_at=starts + timedelta(minutes=90),
                capacity=25,
                registration_required=True,
                registration_deadline=local_to_utc(first - timedelta(days=1), time(12), TZ),
                question="Which topics or problems would you like us to cover?",
                description="A short online course in three evening sessions.",
                hosts=librarians[:1],
                created_by_id=creator.id,
            )
        )
    # A gathering with lunch.
    day = monday + timedelta(days=16)
    starts = local_to_utc(day, time(11), TZ)
    session.add(
        DropInSession(
            title="Open science day",
            topic=topics["open-access"],
            library=libraries["main"],
            location="Auditorium A",
            starts_at=starts,
            ends_at=starts + timedelta(hours=4),
            capacity=80,
            registration_required=True,
            registration_deadline=starts - timedelta(days=3),
            question="Will you join us for lunch? Any dietary needs?",
            description="Talks on open access and research data, followed by lunch.",
            hosts=rng.sample(librarians, k=2),
            created_by_id=creator.id,
        )
    )


DEMO_PATRONS = [
    ("Emma Berg", "Which databases should I use for my literature review?"),
    ("Noah Haugen", "I cannot get Zotero to cite in APA 7."),
    ("Sara Lie", "Help with a search strategy for my bachelor thesis."),
    ("William Dahl", "Where do I find Norwegian court decisions?"),
    ("Leah Moen", "How do I publish my master thesis open access?"),
    ("Oliver Strand", "Finding statistics for my economics paper."),
]


def _booking(session: Session, today: date, librarians: list[Person], desk: Person) -> None:
    """Book a librarian: a few appointments in the next two weeks, and some one-off
    changes to availability. Appointments go in free slots only (the same computation
    the pages use), so the demo never shows a double booking."""
    from scheduler.booking.appointments.slots import load_calendars

    rng = random.Random(7)  # its own generator: other demo data stays as it was
    main = librarians[0]
    # One-off changes for the demo librarian: a blocked day and an extra Saturday hour.
    next_monday = monday_of(today) + timedelta(days=7)
    library_id = session.scalar(
        select(AvailabilityRule.library_id).where(AvailabilityRule.person_id == main.id)
    )
    session.add_all(
        [
            AvailabilityException(
                person_id=main.id,
                date=next_monday + timedelta(days=2),
                kind=ExceptionKind.BLOCKED,
                note="Conference",
            ),
            AvailabilityException(
                person_id=main.id,
                date=next_monday + timedelta(days=5),
                kind=ExceptionKind.EXTRA,
                library_id=library_id,
                start_time=time(11),
                end_time=time(13),
                modes="online",
                note="Thesis deadline week",
            ),
        ]
    )
    session.flush()
    now = local_to_utc(today, time(0), TZ)
    first, last = today, today + timedelta(days=13)
    calendars = load_calendars(
        session, [p.id for p in librarians], first, last, now=now, default_tz=TZ
    )
    available = calendars.slots(first, last, now)
    patrons = iter(DEMO_PATRONS * 5)
    for n, person in enumerate(librarians[:14]):
        # At most one per day and person: grid slots never overlap each other, and the
        # daily maximum (at least 3 in the demo) is respected.
        by_day = {}
        for slot in available:
            if slot.librarian_id == person.id:
                by_day.setdefault(slot.start.date(), slot)
        days = sorted(by_day)
        for day in rng.sample(days, k=min(len(days), 3 if person is main else 1)):
            slot = by_day[day]
            name, message = next(patrons)
            settings = session.get(BookingSettings, person.id)
            buffer = timedelta(minutes=settings.buffer_minutes if settings else 0)
            session.add(
                Appointment(
                    librarian_id=person.id,
                    library_id=slot.library_id,
                    topic_id=person.topics[0].id,
                    mode=slot.modes[0],
                    starts_at=slot.start,
                    ends_at=slot.end,
                    blocked_until=slot.end + buffer,
                    patron_name=name,
                    patron_email=f"{name.split()[0].lower()}@student.uni.example",
                    message=message,
                    locale=("nb", "en", "sv")[n % 3],
                    booked_by_id=desk.id if n == 3 else None,
                    meeting_url=meeting_links.link_for(
                        session,
                        mode=slot.modes[0],
                        librarian_id=person.id,
                        library_id=slot.library_id,
                    ),
                    # Demo patrons have no manage link: a random, never-issued token.
                    manage_token_hash=accounts.new_token()[1],
                )
            )


def _dropin_registrations(session: Session) -> None:
    """Sign-ups, so hosts see lists and counts: a full clinic with a waitlist, the EndNote
    course booked as a whole, and a lunch head count for the open science day."""
    from scheduler.accounts import new_token
    from scheduler.models import Registration, RegistrationStatus

    rng = random.Random(20270105)
    students = [(f, last) for f in FIRST_NAMES for last in LAST_NAMES]
    rng.shuffle(students)
    people = iter(students)

    def sign_up(targets: list[DropInSession], *, answer=None, lunch=None) -> None:
        first, last = next(people)
        email = _email(first, last, 0).replace(DEMO_DOMAIN, f"student.{DEMO_DOMAIN}")
        digest = new_token()[1]
        for target in targets:
            taken = [r for r in target.registrations if r.status == RegistrationStatus.REGISTERED]
            waiting = [r for r in target.registrations if r.status == RegistrationStatus.WAITLISTED]
            full = target.capacity is not None and len(taken) >= target.capacity
            target.registrations.append(
                Registration(
                    name=f"{first} {last}",
                    email=email,
                    answer=answer if target.question else None,
                    lunch=lunch if target.lunch else None,
                    locale=rng.choice(["nb", "nb", "en"]),
                    status=RegistrationStatus.WAITLISTED if full else RegistrationStatus.REGISTERED,
                    position=len(waiting) + 1 if full else None,
                    manage_token_hash=digest,
                )
            )

    sessions = session.scalars(select(DropInSession).order_by(DropInSession.starts_at)).all()
    clinic = next(s for s in sessions if s.title == "Systematic searching clinic")
    for _n in range(clinic.capacity + 3):
        sign_up([clinic])
    lovdata = next(s for s in sessions if s.title == "Lovdata for beginners")
    for _n in range(7):
        sign_up([lovdata])
    course = [s for s in sessions if s.title.startswith("Get started with EndNote")]
    wishes = [
        "Citing in Word",
        "Moving my library from Zotero",
        "Sharing references with my supervisor",
        "Finding full text",
        None,
    ]
    for _n in range(14):
        sign_up(course, answer=rng.choice(wishes))
    day = next(s for s in sessions if s.title == "Open science day")
    day.lunch = True
    diets = ["Vegetarian", "No nuts, please", "Gluten-free", None, None, None]
    for _n in range(30):
        sign_up([day], answer=rng.choice(diets), lunch=rng.random() < 0.7)
    session.flush()
