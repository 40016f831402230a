"""Schemathesis against the API's own OpenAPI document: every operation, with inputs the
document allows (positive) and inputs it forbids (negative), answered without a server
error and, where the status is documented, in the documented shape.

The app runs in-process (WSGI), on SQLite and on PostgreSQL; the number of examples per
operation comes from the Hypothesis profile (tests/conftest.py: "ci" by default, "long"
for the longer run in the README).
"""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
import schemathesis
from hypothesis import given
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from scheduler.models import AvailabilityRule, BookingSettings, DropInSession, Role
from scheduler.timeutil import local_to_utc


@pytest.fixture
def api_schema(app, db, create_library, create_topic, create_person):
    """Something to find: a library, a topic, a bookable librarian and a drop-in."""
    library = create_library()
    topic = create_topic()
    librarian = create_person(Role.LIBRARIAN, bookable=True, topics=[topic])
    db.session.add(BookingSettings(person_id=librarian.id, min_notice_minutes=0))
    db.session.add(
        AvailabilityRule(
            person_id=librarian.id,
            library_id=library.id,
            weekday=date.today().weekday(),
            start_time=time(0),
            end_time=time(23, 45),
            modes="in_person,online",
        )
    )
    starts = local_to_utc(date.today() + timedelta(days=7), time(12), library.timezone)
    db.session.add(
        DropInSession(
            library=library,
            title="Zotero",
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            registration_required=True,
            capacity=3,
            waitlist_enabled=True,
            hosts=[librarian],
        )
    )
    db.session.commit()
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_operation_fails_or_breaks_its_contract(api_schema, mode):
    # Strategies per operation (Schemathesis's pytest plugin does not run on pytest 9 yet).
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 12
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        def call(case):
            case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])

        try:
            call()
        except Unsatisfiable:
            assert mode == GenerationMode.NEGATIVE, operation.label  # nothing to negate
        except Exception as exc:
            raise AssertionError(f"{operation.label} ({mode.value}): {exc}") from exc
