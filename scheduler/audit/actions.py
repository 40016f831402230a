"""The vocabulary of the audit log: every action an entry may name, and its subject.

Adding an action here is the only way to record a new kind of event; ``record``
refuses any other name, so the list in docs/operations.md stays complete.
"""

from __future__ import annotations

import enum


class Action(enum.StrEnum):
    # Signing in and out (subject "person:<id>"; a failure's subject is the address typed).
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in.failed"
    SIGN_IN_LOCKED = "sign_in.locked"
    SIGN_OUT = "sign_out"
    # Passwords and accounts (subject "person:<id>").
    PASSWORD_CHANGED = "password.changed"
    PASSWORD_RESET_SENT = "password.reset_sent"
    PASSWORD_SET_BY_LINK = "password.set_by_link"
    PERSON_INVITED = "person.invited"
    SECOND_FACTOR_ENROLLED = "second_factor.enrolled"
    SECOND_FACTOR_TURNED_OFF = "second_factor.turned_off"
    SECOND_FACTOR_RESET = "second_factor.reset"  # by an administrator
    PERSON_SAVED = "person.saved"  # roles, libraries, active: details say what changed
    PEOPLE_IMPORTED = "people.imported"  # a staff CSV applied: ids created and updated
    ADMIN_CREATED = "admin.created"
    ADMIN_PROMOTED = "admin.promoted"
    # Calendar feed links (subject "person:<id>"): the staff feed's downloads are too
    # many to record one by one, so the link's creation and revocation are recorded.
    FEED_LINK_ISSUED = "feed_link.issued"
    FEED_LINK_REVOKED = "feed_link.revoked"
    FEED_PATRON_DETAILS = "feed_link.patron_details"  # details "show": true/false
    # Bookings and drop-ins changed by staff.
    APPOINTMENT_CANCELLED = "appointment.cancelled"  # subject "appointment:<id>"
    REGISTRATION_CANCELLED = "registration.cancelled"  # subject "registration:<id>"
    DROPIN_EDITED = "dropin.edited"  # subject "dropin_session:<id>"
    DROPIN_CANCELLED = "dropin.cancelled"  # subject "dropin_session:<id>"
    # Administration of the set-up (scheduler/administration): subject "<kind>:<id>".
    LIBRARY_SAVED = "library.saved"
    LIBRARY_HOURS_SAVED = "library.hours_saved"
    LIBRARY_CLOSED_DATES_ADDED = "library.closed_dates_added"
    LIBRARY_CLOSED_DATE_REMOVED = "library.closed_date_removed"
    LIBRARY_DELETED = "library.deleted"
    LIBRARY_DEACTIVATED = "library.deactivated"
    LIBRARY_REACTIVATED = "library.reactivated"
    TOPIC_SAVED = "topic.saved"
    TOPIC_DELETED = "topic.deleted"
    TOPIC_DEACTIVATED = "topic.deactivated"
    TOPIC_REACTIVATED = "topic.reactivated"
    TOPIC_GROUP_SAVED = "topic_group.saved"
    TOPIC_GROUP_DELETED = "topic_group.deleted"
    TOPIC_GROUP_DEACTIVATED = "topic_group.deactivated"
    TOPIC_GROUP_REACTIVATED = "topic_group.reactivated"
    TOPIC_GROUP_QUESTION_ADDED = "topic_group.question_added"
    TOPIC_GROUP_QUESTION_CHANGED = "topic_group.question_changed"
    TOPIC_GROUP_QUESTION_MOVED = "topic_group.question_moved"
    TOPIC_GROUP_QUESTION_REMOVED = "topic_group.question_removed"
    SKILL_SAVED = "skill.saved"
    SKILL_DELETED = "skill.deleted"
    SKILL_DEACTIVATED = "skill.deactivated"
    SKILL_REACTIVATED = "skill.reactivated"
    # Roster set-up, rosters and self-service decisions.
    SETUP_CHANGED = "roster_setup.changed"  # subject "<kind>:<id>", details "op"
    ROSTER_EDIT = "roster.edit"
    ROSTER_OVERRIDE = "roster.override"
    ROSTER_PIN = "roster.pin"
    ROSTER_UNPIN = "roster.unpin"
    ROSTER_PUBLISH = "roster.publish"
    ROSTER_REPAIR = "roster.repair"
    SELF_SERVICE_APPROVED = "self_service.approved"
    SELF_SERVICE_DECLINED = "self_service.declined"
    SELF_SERVICE_WITHDRAWN = "self_service.withdrawn"
    SELF_SERVICE_TIME_OFF = "self_service.time_off"
    SELF_SERVICE_SWAP = "self_service.swap"
    SELF_SERVICE_CLAIM = "self_service.claim"
    # Exports of personal data (details "format" and "rows").
    EXPORT_ROSTER = "export.roster"
    EXPORT_REGISTRANTS = "export.registrants"
    EXPORT_HOURS = "export.hours"
    EXPORT_AUDIT = "export.audit"
    # A patron's own data on /my-bookings (no actor, no address: counts only).
    PATRON_DATA_EXPORTED = "patron_data.exported"
    PATRON_DATA_ERASED = "patron_data.erased"
    # Every refusal (403): subject is the method and path.
    FORBIDDEN = "forbidden"
