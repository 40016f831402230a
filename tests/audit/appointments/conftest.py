"""The booking fixtures, for the audit tests of staff cancellations."""

from tests.booking.appointments.conftest import (  # noqa: F401 (fixtures)
    create_librarian,
    librarian,
    library,
    request_for,
    site,
    topic,
)
