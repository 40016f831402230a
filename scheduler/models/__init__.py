"""All models, importable from one place (Alembic and the app see every table)."""

from scheduler.models.availability import (
    Absence,
    AbsenceKind,
    AvailabilityException,
    AvailabilityRule,
    BookingSettings,
    ExceptionKind,
    Mode,
    RosterPreference,
)
from scheduler.models.base import Base
from scheduler.models.booking import Appointment, AppointmentStatus
from scheduler.models.calendar_source import BusyInterval, BusyKind, CalendarSource, SourceKind
from scheduler.models.dropin import (
    DropInSession,
    Registration,
    RegistrationStatus,
    SessionSeries,
    SessionStatus,
)
from scheduler.models.feed import FeedToken
from scheduler.models.jobs import Job, JobState
from scheduler.models.library import Channel, ClosedDate, Library, OpeningHours, ServicePoint
from scheduler.models.mail import EmailState, OutboundEmail
from scheduler.models.people import (
    LIBRARY_ROLES,
    ApiToken,
    Person,
    PersonLibraryRole,
    PersonRole,
    Role,
    Skill,
)
from scheduler.models.roster import (
    Assignment,
    AssignmentSource,
    AuditEntry,
    DemandRule,
    PeriodStatus,
    PublishedShift,
    PublishedShiftStatus,
    RosterPeriod,
    RosterRun,
    RunKind,
    Shift,
)
from scheduler.models.slot_versions import AvailabilityVersion
from scheduler.models.topic import GroupQuestion, Topic, TopicGroup

__all__ = [
    "LIBRARY_ROLES",
    "Absence",
    "AbsenceKind",
    "ApiToken",
    "Appointment",
    "AppointmentStatus",
    "Assignment",
    "AssignmentSource",
    "AuditEntry",
    "AvailabilityException",
    "AvailabilityRule",
    "AvailabilityVersion",
    "Base",
    "BookingSettings",
    "BusyInterval",
    "BusyKind",
    "CalendarSource",
    "Channel",
    "ClosedDate",
    "DemandRule",
    "DropInSession",
    "EmailState",
    "ExceptionKind",
    "FeedToken",
    "GroupQuestion",
    "Job",
    "JobState",
    "Library",
    "Mode",
    "OpeningHours",
    "OutboundEmail",
    "PeriodStatus",
    "Person",
    "PersonLibraryRole",
    "PersonRole",
    "PublishedShift",
    "PublishedShiftStatus",
    "Registration",
    "RegistrationStatus",
    "Role",
    "RosterPeriod",
    "RosterPreference",
    "RosterRun",
    "RunKind",
    "ServicePoint",
    "SessionSeries",
    "SessionStatus",
    "Shift",
    "Skill",
    "SourceKind",
    "Topic",
    "TopicGroup",
]
