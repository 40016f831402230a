"""All models, importable from one place (Alembic and the app see every table)."""

from scheduler.models.account import LinkPurpose, PasswordLink, SignInThrottle
from scheduler.models.audit import AuditEntry
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
from scheduler.models.booking import Appointment, AppointmentStatus, Attendance
from scheduler.models.calendar_source import BusyInterval, BusyKind, CalendarSource, SourceKind
from scheduler.models.desk import (
    Actor,
    Campaign,
    CampaignQuestion,
    DurationBand,
    Inquiry,
    InquiryCategory,
    InquiryChannel,
    RoutineRow,
)
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
    DemandRule,
    PeriodStatus,
    PublishedShift,
    PublishedShiftStatus,
    RosterPeriod,
    RosterRun,
    RunKind,
    Shift,
)
from scheduler.models.self_service import (
    OpenShift,
    OpenShiftStatus,
    RequestKind,
    RequestStatus,
    SelfServiceSettings,
    StaffRequest,
)
from scheduler.models.signin import RecoveryCode, SecondFactor, StaffSession
from scheduler.models.slot_versions import AvailabilityVersion
from scheduler.models.topic import GroupQuestion, Topic, TopicGroup
from scheduler.models.upkeep import RunOutcome, UpkeepRun, UpkeepTask, WorkerHeartbeat

__all__ = [
    "LIBRARY_ROLES",
    "Absence",
    "AbsenceKind",
    "Actor",
    "ApiToken",
    "Appointment",
    "AppointmentStatus",
    "Assignment",
    "AssignmentSource",
    "Attendance",
    "AuditEntry",
    "AvailabilityException",
    "AvailabilityRule",
    "AvailabilityVersion",
    "Base",
    "BookingSettings",
    "BusyInterval",
    "BusyKind",
    "CalendarSource",
    "Campaign",
    "CampaignQuestion",
    "Channel",
    "ClosedDate",
    "DemandRule",
    "DropInSession",
    "DurationBand",
    "EmailState",
    "ExceptionKind",
    "FeedToken",
    "GroupQuestion",
    "Inquiry",
    "InquiryCategory",
    "InquiryChannel",
    "Job",
    "JobState",
    "Library",
    "LinkPurpose",
    "Mode",
    "OpenShift",
    "OpenShiftStatus",
    "OpeningHours",
    "OutboundEmail",
    "PasswordLink",
    "PeriodStatus",
    "Person",
    "PersonLibraryRole",
    "PersonRole",
    "PublishedShift",
    "PublishedShiftStatus",
    "RecoveryCode",
    "Registration",
    "RegistrationStatus",
    "RequestKind",
    "RequestStatus",
    "Role",
    "RosterPeriod",
    "RosterPreference",
    "RosterRun",
    "RoutineRow",
    "RunKind",
    "RunOutcome",
    "SecondFactor",
    "SelfServiceSettings",
    "ServicePoint",
    "SessionSeries",
    "SessionStatus",
    "Shift",
    "SignInThrottle",
    "Skill",
    "SourceKind",
    "StaffRequest",
    "StaffSession",
    "Topic",
    "TopicGroup",
    "UpkeepRun",
    "UpkeepTask",
    "WorkerHeartbeat",
]
