"""Factories for the core models: each takes only what a test cares about.

``create_x(**overrides)`` fills sensible defaults and flushes, so the new row has an id.
Areas (booking, drop-ins, rosters) keep their own factories next to their tests.
"""

from __future__ import annotations

import itertools
from datetime import time

import pytest

from scheduler import accounts
from scheduler.models import (
    Channel,
    Library,
    OpeningHours,
    Person,
    Role,
    ServicePoint,
    Skill,
    Topic,
    TopicGroup,
)

_seq = itertools.count(1)
# Hashing with Argon2 is deliberately slow; tests share one hash per password.
_HASHES: dict[str, str] = {}
TEST_PASSWORD = "correct horse battery"


def password_hash(password: str = TEST_PASSWORD) -> str:
    if password not in _HASHES:
        _HASHES[password] = accounts.hash_password(password)
    return _HASHES[password]


@pytest.fixture
def create_library(db):
    def _create(**kw) -> Library:
        n = next(_seq)
        kw.setdefault("slug", f"lib-{n}")
        kw.setdefault("name", f"Library {n}")
        kw.setdefault("timezone", "Europe/Oslo")
        hours = kw.pop("hours", [(d, time(8), time(20)) for d in range(7)])
        lib = Library(**kw)
        lib.opening_hours = [OpeningHours(weekday=d, opens=o, closes=c) for d, o, c in hours]
        db.session.add(lib)
        db.session.flush()
        return lib

    return _create


@pytest.fixture
def create_person(db, create_library):
    def _create(*roles: Role, **kw) -> Person:
        """A person holding ``roles`` in each of ``libraries`` (administrator: globally)."""
        n = next(_seq)
        kw.setdefault("email", f"person{n}@uni.example")
        kw.setdefault("name", f"Person {n}")
        password = kw.pop("password", TEST_PASSWORD)
        skills = kw.pop("skills", [])
        topics = kw.pop("topics", [])
        libraries = kw.pop("libraries", None)
        person = Person(**kw)
        person.password_hash = password_hash(password)
        person.set_admin(Role.ADMIN in roles)
        in_libraries = set(roles) - {Role.ADMIN}
        if libraries is None:
            # A role is held in a library: a test that does not say which gets its own.
            libraries = [create_library()] if in_libraries else []
        person.libraries = list(libraries)
        for library in libraries:
            for role in sorted(in_libraries):
                person.grant(role, library)
        person.skills = [_skill(db, code) for code in skills]
        person.topics = list(topics)
        db.session.add(person)
        db.session.flush()
        return person

    return _create


def _skill(db, code: str) -> Skill:
    from sqlalchemy import select

    skill = db.session.scalar(select(Skill).where(Skill.code == code))
    if skill is None:
        skill = Skill(code=code, name=code.title())
        db.session.add(skill)
        db.session.flush()
    return skill


@pytest.fixture
def create_topic(db):
    def _create(**kw) -> Topic:
        n = next(_seq)
        kw.setdefault("slug", f"topic-{n}")
        kw.setdefault("name", f"Topic {n}")
        topic = Topic(**kw)
        db.session.add(topic)
        db.session.flush()
        return topic

    return _create


@pytest.fixture
def create_topic_group(db):
    def _create(**kw) -> TopicGroup:
        n = next(_seq)
        kw.setdefault("slug", f"group-{n}")
        kw.setdefault("name", f"Group {n}")
        group = TopicGroup(**kw)
        db.session.add(group)
        db.session.flush()
        return group

    return _create


@pytest.fixture
def create_service_point(db, create_library):
    def _create(**kw) -> ServicePoint:
        if "library" not in kw and "library_id" not in kw:
            kw["library"] = create_library()
        kw.setdefault("name", f"Desk {next(_seq)}")
        kw.setdefault("channel", Channel.DESK)
        point = ServicePoint(**kw)
        db.session.add(point)
        db.session.flush()
        return point

    return _create


ADMIN_EMAIL = "acting-admin@uni.example"


def acting_admin() -> Person:
    """An administrator to pass as the acting person where a test is not about who may act.

    Created on first use in the test's database; tests of refusals use people with
    roles in particular libraries instead.
    """
    from sqlalchemy import select

    from scheduler.extensions import db as _db

    person = _db.session.scalar(select(Person).where(Person.email == ADMIN_EMAIL))
    if person is None:
        person = Person(email=ADMIN_EMAIL, name="Acting Admin", password_hash=password_hash())
        person.set_admin(True)
        _db.session.add(person)
        _db.session.flush()
    return person


def complete_enrolment(client, response):
    """After a right password that led to enrolment (a role that requires a second
    factor), set one up as a person would: read the key off the page, answer with a code
    from it. Returns the final response (the recovery codes page); any other response
    is returned as it is."""
    import re

    import pyotp

    if response.status_code != 302 or response.headers["Location"] != "/sign-in/enrol":
        return response
    page = client.get("/sign-in/enrol").get_data(as_text=True)
    secret = re.search(r"<code>([A-Z2-7]{32})</code>", page).group(1)
    done = client.post("/sign-in/enrol", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200, done.get_data(as_text=True)
    return done


def enrol_second_factor(session, person) -> str:
    """Give ``person`` an authenticator now; returns its secret. The current step's code
    is still unused (enrolled with the previous step's)."""
    import time

    import pyotp

    from scheduler.signin import second_factor

    secret = second_factor.new_secret()
    code = pyotp.TOTP(secret).at(time.time() - 30)
    second_factor.enrol(session, person, secret, code, app_secret_box())
    return secret


def app_secret_box():
    """The box the app (of the current app context) seals authenticator keys with."""
    from flask import current_app

    from scheduler.calendars.sources.secretbox import box_from_config

    return box_from_config(current_app.config, current_app.instance_path)
