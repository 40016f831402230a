"""People: staff accounts with roles, skills, subjects and contract hours.

A role is held *in a library* (:class:`PersonLibraryRole`); only the administrator role
is global (:class:`PersonRole`). There is deliberately no "roles of a person" without a
library: who may do what is asked of :mod:`scheduler.access` with the library at hand.
"""

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


#: The roles that are held in a library; the rest (administrator) are global.
LIBRARY_ROLES = (Role.SECTION_LEADER, Role.LIBRARIAN, Role.FIRST_LINE)


class PersonRole(Base):
    """A global role: only :attr:`Role.ADMIN` is stored here."""

    __tablename__ = "person_roles"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"), primary_key=True)


class PersonLibraryRole(Base):
    """A role a person holds in one library (section leader, librarian, first line)."""

    __tablename__ = "person_library_roles"
    __table_args__ = (CheckConstraint("role <> 'admin'", name="library_role_not_admin"),)

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    library_id: Mapped[int] = mapped_column(
        ForeignKey("libraries.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[Role] = mapped_column(str_enum(Role, "library_role"), primary_key=True)

    library: Mapped[Library] = relationship(lazy="joined")


def _library_id(row: PersonLibraryRole) -> int | None:
    """The row's library id, also before the row is flushed."""
    return row.library_id if row.library_id is not None else row.library.id


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
    library_roles: Mapped[list[PersonLibraryRole]] = relationship(
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
    def is_admin(self) -> bool:
        return any(r.role == Role.ADMIN for r in self.role_rows)

    def set_admin(self, admin: bool) -> None:
        self.role_rows = [r for r in self.role_rows if r.role != Role.ADMIN]
        if admin:
            self.role_rows.append(PersonRole(role=Role.ADMIN))

    def roles_in(self, library_id: int) -> set[Role]:
        """The roles held in one library (an administrator's global role not included)."""
        return {r.role for r in self.library_roles if _library_id(r) == library_id}

    def holds_anywhere(self, *roles: Role) -> bool:
        """True if the person holds one of ``roles`` in some library, or is an administrator.

        Only a coarse first gate (menus, a page's decorator): the use cases ask
        :func:`scheduler.access.holds` with the library at hand.
        """
        return self.is_admin or any(r.role in roles for r in self.library_roles)

    def grant(self, role: Role, library: Library) -> None:
        """Give ``role`` in ``library`` (the person then works there too)."""
        if role == Role.ADMIN:
            raise ValueError("the administrator role is global: use set_admin")
        if library not in self.libraries:
            self.libraries.append(library)
        held = any(r.role == role and r.library is library for r in self.library_roles)
        if not held:
            self.library_roles.append(PersonLibraryRole(library=library, role=role))

    def revoke(self, role: Role, library_id: int) -> None:
        self.library_roles = [
            r for r in self.library_roles if not (r.library_id == library_id and r.role == role)
        ]

    def set_library_roles(self, wanted: dict[Library, set[Role]]) -> None:
        """Make ``wanted`` the person's roles per library; libraries stay where they work."""
        keep = {(id(lib), role) for lib, roles in wanted.items() for role in roles}
        self.library_roles = [r for r in self.library_roles if (id(r.library), r.role) in keep]
        for lib, roles in wanted.items():
            for role in sorted(roles):
                self.grant(role, lib)

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
