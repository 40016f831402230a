"""People: staff accounts with roles, skills, subjects and contract hours."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    String,
    Table,
    Text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.models.base import Base, TimestampMixin, str_enum, utcnow

if TYPE_CHECKING:
    from scheduler.models.library import Library
    from scheduler.models.topic import Topic


class Role(enum.StrEnum):
    ADMIN = "admin"
    SECTION_LEADER = "section_leader"
    LIBRARIAN = "librarian"
    FIRST_LINE = "first_line"


person_skills = Table(
    "person_skills",
    Base.metadata,
    Column("person_id", ForeignKey("people.id", ondelete="CASCADE"), primary_key=True),
    Column("skill_id", ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True),
)

# Subjects and guidance topics a librarian covers (what students search by).
person_topics = Table(
    "person_topics",
    Base.metadata,
    Column("person_id", ForeignKey("people.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True),
)

# Libraries a person works at: for first-line staff, the pools they can be rostered in.
person_libraries = Table(
    "person_libraries",
    Base.metadata,
    Column("person_id", ForeignKey("people.id", ondelete="CASCADE"), primary_key=True),
    Column("library_id", ForeignKey("libraries.id", ondelete="CASCADE"), primary_key=True),
)


class PersonRole(Base):
    __tablename__ = "person_roles"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"), primary_key=True)


class Skill(Base):
    """A competence a shift may require (desk, chat, phone, ...)."""

    __tablename__ = "skills"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # Demand rules and shifts name skills by code: such a skill is deactivated, not deleted.
    active: Mapped[bool] = mapped_column(default=True, server_default=true())


class Person(TimestampMixin, Base):
    """A staff member. Patrons have no account: they book with name and e-mail."""

    __tablename__ = "people"
    __table_args__ = (
        CheckConstraint("min_hours_per_week >= 0", name="min_hours_nonnegative"),
        CheckConstraint(
            "max_hours_per_week IS NULL OR max_hours_per_week >= min_hours_per_week",
            name="max_hours_at_least_min",
        ),
        CheckConstraint("email = lower(email)", name="email_lowercase"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    # Part of the login session id: changing it signs the person out everywhere.
    session_nonce: Mapped[str] = mapped_column(String(32), default=lambda: secrets.token_hex(16))
    locale: Mapped[str | None] = mapped_column(String(8))
    last_login_at: Mapped[datetime | None]

    # Public profile (book a librarian).
    title: Mapped[str | None] = mapped_column(String(200))
    bio: Mapped[str | None] = mapped_column(Text)
    bookable: Mapped[bool] = mapped_column(default=False)

    # Contract hours for first-line rosters (hours per ISO week / local day).
    min_hours_per_week: Mapped[float] = mapped_column(default=4.0)
    max_hours_per_week: Mapped[float | None]
    target_hours_per_week: Mapped[float | None]
    max_hours_per_day: Mapped[float | None]

    role_rows: Mapped[list[PersonRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    skills: Mapped[list[Skill]] = relationship(secondary=person_skills, order_by="Skill.code")
    topics: Mapped[list[Topic]] = relationship(
        secondary=person_topics, back_populates="people", order_by="Topic.name"
    )
    libraries: Mapped[list[Library]] = relationship(
        secondary=person_libraries, back_populates="staff", order_by="Library.position"
    )

    @property
    def roles(self) -> set[Role]:
        return {r.role for r in self.role_rows}

    def has_role(self, *roles: Role) -> bool:
        """True if the person holds any of ``roles``; admins hold every role."""
        mine = self.roles
        return Role.ADMIN in mine or any(r in mine for r in roles)

    def set_roles(self, roles: set[Role] | list[Role]) -> None:
        wanted = set(roles)
        self.role_rows = [r for r in self.role_rows if r.role in wanted]
        have = self.roles
        for role in sorted(wanted - have):
            self.role_rows.append(PersonRole(role=role))

    # What Flask-Login asks of a user, written out so that the models import no Flask.

    @property
    def is_active(self) -> bool:  # inactive accounts cannot sign in
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return self.is_active

    @property
    def is_anonymous(self) -> bool:
        return False

    # The token of the staff session this object was loaded or signed in for; not a
    # column (only its digest is stored, in staff_sessions). Flask-Login keeps it in the
    # session and remember cookies.
    signin_token = None

    def get_id(self) -> str:
        """The session's user id: the staff session token (see scheduler/signin)."""
        return self.signin_token or ""

    # Two objects for the same signed-in person are equal (Flask-Login compares users).
    __hash__ = object.__hash__

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Person):
            return (self.id, self.session_nonce) == (other.id, other.session_nonce)
        return NotImplemented

    @property
    def skill_codes(self) -> list[str]:
        return [s.code for s in self.skills]

    def __repr__(self) -> str:
        return f"<Person {self.email}>"


class ApiToken(Base):
    """A personal API token (``Authorization: Bearer``); only its hash is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    person: Mapped[Person] = relationship()
