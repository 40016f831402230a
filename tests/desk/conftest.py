"""A small library for the desk's tests: two service points, categories, two actors, a
first-line member, a leader, and someone from another library."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from scheduler.models import (
    Actor,
    Channel,
    DurationBand,
    Inquiry,
    InquiryCategory,
    InquiryChannel,
    Library,
    Person,
    Role,
    RoutineRow,
    ServicePoint,
)

NOW = datetime(2027, 3, 9, 11, 30, tzinfo=UTC)  # a Tuesday, 12:30 in Oslo


@dataclass
class DeskWorld:
    library: Library
    other_library: Library
    desk: ServicePoint
    phone: ServicePoint
    reference: InquiryCategory
    printing: InquiryCategory
    tax: Actor
    bank: Actor
    staff: Person
    leader: Person
    outsider: Person
    other_leader: Person


@pytest.fixture
def world(db, create_library, create_person) -> DeskWorld:
    library = create_library(name="Main library", is_main=True)
    other = create_library(name="Law library")
    desk = ServicePoint(library=library, name="Information desk", channel=Channel.DESK)
    phone = ServicePoint(library=library, name="Phone", channel=Channel.PHONE, position=1)
    reference = InquiryCategory(library=library, name="Reference", position=0)
    printing = InquiryCategory(library=library, name="Printing", position=1)
    tax = Actor(
        library=library,
        name="Tax office",
        helps_with="Tax returns, ID numbers, tax cards",
        phone="800 80 000",
        languages="Norwegian, English",
    )
    bank = Actor(
        library=library,
        name="Bank e-ID support",
        helps_with="BankID that does not work, new code devices",
        url="https://bankid.example",
        languages="Norwegian",
    )
    db.session.add_all([desk, phone, reference, printing, tax, bank])
    db.session.add(
        RoutineRow(
            library=library,
            question_type="Help filling in the tax return",
            solution="We show where the form is; we do not fill it in.",
            actor=tax,
        )
    )
    staff = create_person(Role.FIRST_LINE, name="Frida Desk", libraries=[library])
    leader = create_person(Role.SECTION_LEADER, name="Lena Leader", libraries=[library])
    outsider = create_person(Role.FIRST_LINE, name="Olav Other", libraries=[other])
    other_leader = create_person(Role.SECTION_LEADER, name="Lars Law", libraries=[other])
    db.session.flush()
    return DeskWorld(
        library, other, desk, phone, reference, printing, tax, bank,
        staff, leader, outsider, other_leader,
    )  # fmt: skip


def new_uuid() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def add_inquiry(db):
    """Store an inquiry directly (for statistics): ``add_inquiry(world, at, **fields)``."""

    def _add(world: DeskWorld, at: datetime, **kw) -> Inquiry:
        kw.setdefault("library_id", world.library.id)
        kw.setdefault("service_point_id", world.desk.id)
        kw.setdefault("channel", InquiryChannel.DESK)
        kw.setdefault("duration", DurationBand.UNDER_5)
        inquiry = Inquiry(client_uuid=new_uuid(), asked_at=at, **kw)
        db.session.add(inquiry)
        return inquiry

    return _add
