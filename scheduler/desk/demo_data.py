"""Demo content for the desk: categories, a small directory and routine matrix, and six
weeks of plausible inquiry counts before today (busy at lunchtime, quiet at the weekend)
plus six weeks of a quiet summer, so the heat map and the suggestions show something.
"""

from __future__ import annotations

import math
import random
import uuid
from datetime import date, time, timedelta

from sqlalchemy import insert
from sqlalchemy.orm import Session

from scheduler.models import (
    Actor,
    DurationBand,
    Inquiry,
    InquiryCategory,
    InquiryChannel,
    Library,
    Person,
    RoutineRow,
    ServicePoint,
)
from scheduler.timeutil import local_to_utc, monday_of

CATEGORIES = [
    # (name, weight)
    ("Finding a book or an article", 30),
    ("Printing, copying, scanning", 22),
    ("Access, login, Wi-Fi", 14),
    ("Loans and returns", 14),
    ("Reference management", 6),
    ("Public services and e-ID", 8),
    ("Directions and rooms", 6),
]

ACTORS = [
    # (name, helps with, url, phone, opening hours, languages)
    (
        "Tax office (Skatteetaten)",
        "Tax returns, tax cards, national ID numbers, moving to Norway",
        "https://www.skatteetaten.no",
        "800 80 000",
        "Weekdays 08:00-15:30",
        "Norwegian, English",
    ),
    (
        "BankID support",
        "BankID that does not work, new code devices, BankID on mobile",
        "https://www.bankid.no",
        None,
        "Ask your own bank",
        "Norwegian, English",
    ),
    (
        "NAV (labour and welfare)",
        "Benefits, unemployment, sick pay, the NAV website",
        "https://www.nav.no",
        "55 55 33 33",
        "Weekdays 09:00-15:00",
        "Norwegian, English and more",
    ),
    (
        "IT service desk",
        "Student accounts, passwords, campus Wi-Fi, printing quotas",
        "https://it.demo.example",
        "73 59 15 00",
        "Weekdays 08:00-16:00",
        "Norwegian, English",
    ),
    (
        "Student welfare (SiT)",
        "Housing, health service, counselling",
        "https://sit.demo.example",
        None,
        "Weekdays 09:00-15:00",
        "Norwegian, English",
    ),
]

ROUTINES = [
    # (type of question, our solution and wording, actor index or None)
    (
        "Help filling in the tax return",
        'We show where the form is and how to log in; we do not fill it in. "The tax '
        'office answers questions about your own return."',
        0,
    ),
    (
        "BankID does not work",
        "We cannot fix BankID. We help find the bank's support page.",
        1,
    ),
    (
        "Applying for benefits",
        "We show nav.no and how to log in with BankID; NAV answers about the case.",
        2,
    ),
    ("Forgotten student password", "Refer to the IT service desk; we cannot reset it.", 3),
    (
        "Citation style questions",
        "We answer short questions; longer ones: book a librarian.",
        None,
    ),
]

# Inquiries an hour at the information desk on a term weekday (local hour -> mean).
DESK_WEEKDAY = {8: 2, 9: 4, 10: 6, 11: 9, 12: 14, 13: 12, 14: 8, 15: 6, 16: 4, 17: 3, 18: 2, 19: 1}
# Phone, e-mail and chat at the back office: a third of the desk, flatter.
BACK_SHARE = 0.35
WEEKEND_SHARE = 0.4
SUMMER_SHARE = 0.3


def _pick(rng: random.Random, weighted: list[tuple[object, int]]) -> object:
    items, weights = zip(*weighted, strict=True)
    return rng.choices(items, weights=weights, k=1)[0]


def _count(rng: random.Random, mean: float) -> int:
    """A plausible count around ``mean`` (normal approximation of a Poisson count)."""
    return max(0, round(rng.gauss(mean, math.sqrt(mean)))) if mean > 0 else 0


def _open_hours(library: Library, day: date) -> list[int]:
    hours: set[int] = set()
    for row in library.opening_hours:
        if row.weekday == day.weekday():
            hours.update(range(row.opens.hour, row.closes.hour))
    return sorted(hours)


def seed_desk_demo(
    session: Session,
    *,
    today: date,
    library: Library,
    desk: ServicePoint,
    back_office: ServicePoint,
    staff: list[Person],
) -> int:
    """Add the desk's demo content; returns how many inquiries were logged."""
    rng = random.Random(20270105)
    categories = [
        InquiryCategory(library=library, name=name, position=i)
        for i, (name, _w) in enumerate(CATEGORIES)
    ]
    actors = [
        Actor(
            library=library,
            name=name,
            helps_with=helps,
            url=url,
            phone=phone,
            opening_hours=hours,
            languages=langs,
        )
        for name, helps, url, phone, hours, langs in ACTORS
    ]
    session.add_all([*categories, *actors])
    for i, (question, solution, actor) in enumerate(ROUTINES):
        session.add(
            RoutineRow(
                library=library,
                question_type=question,
                solution=solution,
                actor=actors[actor] if actor is not None else None,
                position=i,
            )
        )
    session.flush()
    category_weights = [(c.id, w) for c, (_n, w) in zip(categories, CATEGORIES, strict=True)]
    referral_for = {categories[5].id: actors[0].id, categories[2].id: actors[3].id}
    closed = {c.date for c in library.closed_dates}

    this_monday = monday_of(today)
    term = [this_monday - timedelta(weeks=w) for w in range(1, 7)]
    summer_start = monday_of(date(today.year if today.month > 8 else today.year - 1, 7, 1))
    summer = [summer_start + timedelta(weeks=w) for w in range(6)]
    rows = []
    for monday, share in [(m, 1.0) for m in term] + [(m, SUMMER_SHARE) for m in summer]:
        for offset in range(7):
            day = monday + timedelta(days=offset)
            if day in closed or day >= today:
                continue
            day_share = share * (WEEKEND_SHARE if day.weekday() >= 5 else 1.0)
            for hour in _open_hours(library, day):
                mean = DESK_WEEKDAY.get(hour, 1) * day_share
                for point, channel_mean in (
                    (desk, mean),
                    (back_office, mean * BACK_SHARE),
                ):
                    for _ in range(_count(rng, channel_mean)):
                        category = _pick(rng, category_weights)
                        referred = referral_for.get(category) if rng.random() < 0.5 else None
                        channel = (
                            InquiryChannel.DESK
                            if point is desk
                            else _pick(
                                rng,
                                [
                                    (InquiryChannel.PHONE, 5),
                                    (InquiryChannel.EMAIL, 3),
                                    (InquiryChannel.CHAT, 2),
                                ],
                            )
                        )
                        rows.append(
                            {
                                "client_uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                                "library_id": library.id,
                                "service_point_id": point.id,
                                "channel": channel,
                                "category_id": category,
                                "duration": _pick(
                                    rng,
                                    [
                                        (DurationBand.UNDER_5, 60),
                                        (DurationBand.FROM_5_TO_15, 28),
                                        (DurationBand.FROM_15_TO_30, 9),
                                        (DurationBand.OVER_30, 3),
                                    ],
                                ),
                                "read_scale": rng.choice([None, None, 1, 1, 2, 2, 3, 4]),
                                "referred_to_id": referred,
                                "handed_over": rng.random() < 0.03,
                                "anonymised": False,
                                "asked_at": local_to_utc(
                                    day, time(hour, rng.randrange(60)), library.timezone
                                ),
                                "created_at": local_to_utc(day, time(hour), library.timezone),
                                "recorded_by_id": rng.choice(staff).id if staff else None,
                            }
                        )
    if rows:
        session.execute(insert(Inquiry), rows)
    return len(rows)
