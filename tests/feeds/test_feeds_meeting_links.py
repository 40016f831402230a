"""An online appointment in the librarian's feed: the meeting link where calendar apps
look for it (LOCATION, URL and RFC 7986 CONFERENCE)."""

from __future__ import annotations

import pytest
import time_machine

from scheduler.models import Mode, Role
from tests.feeds.conftest import oslo
from tests.feeds.helpers import events_by_uid, unfolded

NOW = oslo("2027-03-01", "12:00")
ROOM = "https://meet.jit.si/library-abcdefghij0123456789"


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_the_librarians_feed_carries_the_meeting_link(
    client, clock, create_person, create_appointment, feed_token
) -> None:
    kari = create_person(Role.LIBRARIAN, name="Kari Nordmann")
    online = create_appointment(
        kari, oslo("2027-03-04", "13:00"), mode=Mode.ONLINE, meeting_url=ROOM
    )
    in_person = create_appointment(kari, oslo("2027-03-04", "15:00"))
    response = client.get(f"/feeds/{feed_token(kari)}/appointments.ics")
    assert response.status_code == 200
    events = events_by_uid(response.data)
    ev = events[f"appointment-{online.id}@library.test"]
    assert str(ev["LOCATION"]) == ROOM
    assert str(ev["URL"]) == ROOM
    assert str(ev["CONFERENCE"]) == ROOM
    assert ev["CONFERENCE"].params["VALUE"] == "URI"
    assert ROOM in str(ev["DESCRIPTION"])
    assert f"CONFERENCE;VALUE=URI;FEATURE=AUDIO,VIDEO:{ROOM}" in unfolded(response.data)
    other = events[f"appointment-{in_person.id}@library.test"]
    assert "CONFERENCE" not in other
    assert ROOM not in str(other.get("LOCATION"))
