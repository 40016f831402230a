"""Registration: places, waitlist positions, deadlines, series sign-ups, cancelling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from scheduler.accounts import token_digest
from scheduler.booking.dropins.registrations import (
    Registrant,
    cancel_by_staff,
    cancel_with_token,
    register,
)
from scheduler.errors import Conflict, Forbidden, InputError, NotFound
from scheduler.models import (
    Registration,
    RegistrationStatus,
    Role,
    SessionSeries,
    SessionStatus,
)
from scheduler.timeutil import utcnow
from tests.booking.dropins.conftest import calendars, only_event, outbox, person

W = RegistrationStatus.WAITLISTED
R = RegistrationStatus.REGISTERED


def _count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Registration))


def _state(dropin) -> list[tuple[str, RegistrationStatus, int | None]]:
    return sorted(
        (r.email, r.status, r.position) for r in dropin.registrations if r.status != "cancelled"
    )


def test_registration_gives_a_place_an_invitation_and_a_manage_link(
    db, create_dropin, sign_up
) -> None:
    dropin = create_dropin(capacity=5, question="What should we cover?", title="Zotero")
    done = sign_up(dropin, 1, answer="Citing in Word", locale="en")
    reg = done.for_session(dropin.id)
    assert (reg.status, reg.position) == (R, None)
    assert reg.answer == "Citing in Word"
    # Only the digest of the manage token is stored.
    assert reg.manage_token_hash == token_digest(done.token)
    assert done.token not in reg.manage_token_hash
    (mail,) = outbox(db, "student1@uni.example")
    assert mail.subject == "Registered: Zotero"
    assert f"https://library.test/dropins/manage/{done.token}" in mail.body_text
    assert "Citing in Word" not in mail.body_text  # never quoted back
    (cal,) = calendars(mail)
    assert cal["METHOD"] == "REQUEST"
    event = only_event(cal)
    assert str(event["UID"]) == f"session-{dropin.id}@library.test"
    assert event.decoded("DTSTART") == dropin.starts_at
    assert "student1@uni.example" in str(event["ATTENDEE"])


def test_registration_e_mail_speaks_the_registrants_language(db, create_dropin, sign_up) -> None:
    dropin = create_dropin(capacity=5, title="Zotero")
    sign_up(dropin, 1, locale="nb")
    (mail,) = outbox(db)
    assert mail.subject == "Påmeldt: Zotero"
    assert "Hei Student 1," in mail.body_text


def test_when_full_people_join_the_waitlist_in_order(db, create_dropin, sign_up) -> None:
    dropin = create_dropin(capacity=2)
    results = [sign_up(dropin, n).for_session(dropin.id) for n in range(1, 6)]
    assert [(r.status, r.position) for r in results] == [
        (R, None),
        (R, None),
        (W, 1),
        (W, 2),
        (W, 3),
    ]
    waiting_mail = outbox(db, "student3@uni.example")[0]
    assert waiting_mail.subject.startswith("On the waitlist")
    assert "number 1 on the waitlist" in waiting_mail.body_text
    assert calendars(waiting_mail) == []  # no place, no invitation


def test_unlimited_sessions_never_waitlist(db, create_dropin, sign_up) -> None:
    dropin = create_dropin(capacity=None)
    for n in range(30):
        assert sign_up(dropin, n).for_session(dropin.id).status == R


def test_cancelling_a_place_moves_the_first_waitlisted_up_and_tells_them(
    db, create_dropin, sign_up, site
) -> None:
    dropin = create_dropin(capacity=1, title="Thesis café")
    first = sign_up(dropin, 1)
    sign_up(dropin, 2)
    sign_up(dropin, 3)
    cancelled = cancel_with_token(db.session, first.token, site=site, now=utcnow())
    assert [r.email for r in cancelled] == ["student1@uni.example"]
    assert _state(dropin) == [
        ("student2@uni.example", R, None),
        ("student3@uni.example", W, 1),
    ]
    promoted = outbox(db, "student2@uni.example")[-1]
    assert promoted.subject == "You have a place: Thesis café"
    assert calendars(promoted)[0]["METHOD"] == "REQUEST"
    confirmation = outbox(db, "student1@uni.example")[-1]
    assert confirmation.subject == "Registration cancelled: Thesis café"
    cal = calendars(confirmation)[0]
    assert cal["METHOD"] == "CANCEL"
    # The removal outranks the invitation the person holds.
    assert only_event(cal)["SEQUENCE"] == 1


def test_leaving_the_waitlist_closes_the_gap(db, create_dropin, sign_up, site) -> None:
    dropin = create_dropin(capacity=1)
    sign_up(dropin, 1)
    sign_up(dropin, 2)
    middle = sign_up(dropin, 3)
    sign_up(dropin, 4)
    cancel_with_token(db.session, middle.token, site=site, now=utcnow())
    assert _state(dropin) == [
        ("student1@uni.example", R, None),
        ("student2@uni.example", W, 1),
        ("student4@uni.example", W, 2),
    ]
    assert dropin.sequence == 0  # nobody's calendar changed


def test_cancelling_twice_is_harmless_and_unknown_links_are_404(
    db, create_dropin, sign_up, site
) -> None:
    dropin = create_dropin(capacity=3)
    done = sign_up(dropin, 1)
    cancel_with_token(db.session, done.token, site=site, now=utcnow())
    assert cancel_with_token(db.session, done.token, site=site, now=utcnow()) == []
    with pytest.raises(NotFound):
        cancel_with_token(db.session, "not-a-token", site=site, now=utcnow())


def test_a_place_cannot_be_given_back_after_the_session_started(
    db, create_dropin, sign_up, site
) -> None:
    dropin = create_dropin(capacity=3)
    done = sign_up(dropin, 1)
    with pytest.raises(Conflict) as caught:
        cancel_with_token(db.session, done.token, site=site, now=dropin.starts_at)
    assert "already started" in caught.value.fields["session"]


# Bad input and closed sessions -------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "field"),
    [
        (Registrant(name="", email="a@uni.example"), "name"),
        (Registrant(name="A", email=""), "email"),
        (Registrant(name="A", email="not an address"), "email"),
        (Registrant(name="x" * 201, email="a@uni.example"), "name"),
        (Registrant(name="A", email="a@uni.example", answer="x" * 2001), "answer"),
    ],
)
def test_bad_registrant_details_name_the_field_and_store_nothing(
    db, create_dropin, site, who, field
) -> None:
    dropin = create_dropin(capacity=3)
    with pytest.raises(InputError) as caught:
        register(db.session, [dropin.id], who, site=site, now=utcnow())
    assert field in caught.value.fields
    assert _count(db) == 0
    assert outbox(db) == []


def test_after_the_deadline_registration_is_closed(db, create_dropin, site) -> None:
    dropin = create_dropin(capacity=3)
    dropin.registration_deadline = dropin.starts_at - timedelta(days=1)
    with pytest.raises(Conflict) as caught:
        register(db.session, [dropin.id], person(1), site=site, now=dropin.registration_deadline)
    assert caught.value.fields == {
        "registration_deadline": "Registration for this session has closed."
    }
    assert _count(db) == 0
    # A minute before, it was open.
    register(
        db.session,
        [dropin.id],
        person(1),
        site=site,
        now=dropin.registration_deadline - timedelta(minutes=1),
    )
    assert _count(db) == 1


@pytest.mark.parametrize(
    ("arrange", "words"),
    [
        (lambda s: setattr(s, "status", SessionStatus.CANCELLED), "is cancelled"),
        (lambda s: setattr(s, "registration_required", False), "needs no registration"),
        (lambda s: setattr(s, "waitlist_enabled", False) or setattr(s, "capacity", 0), "is full"),
    ],
)
def test_closed_sessions_refuse_with_409_and_store_nothing(
    db, create_dropin, site, arrange, words
) -> None:
    dropin = create_dropin(capacity=3)
    arrange(dropin)
    with pytest.raises(Conflict) as caught:
        register(db.session, [dropin.id], person(1), site=site, now=utcnow())
    assert words in caught.value.fields["session"]
    assert _count(db) == 0


def test_past_and_running_sessions_refuse(db, create_dropin, site) -> None:
    dropin = create_dropin(capacity=3)
    with pytest.raises(Conflict, match="already started"):
        register(
            db.session,
            [dropin.id],
            person(1),
            site=site,
            now=dropin.starts_at + timedelta(minutes=5),
        )
    with pytest.raises(Conflict, match="already taken place"):
        register(db.session, [dropin.id], person(1), site=site, now=dropin.ends_at)
    assert _count(db) == 0


def test_a_full_session_without_waitlist_says_so(db, create_dropin, sign_up) -> None:
    dropin = create_dropin(capacity=1, waitlist_enabled=False)
    sign_up(dropin, 1)
    with pytest.raises(Conflict) as caught:
        sign_up(dropin, 2)
    assert caught.value.fields == {"session": "This session is full and keeps no waitlist."}


def test_the_same_address_cannot_sign_up_twice_but_may_again_after_cancelling(
    db, create_dropin, sign_up, site
) -> None:
    dropin = create_dropin(capacity=3)
    done = sign_up(dropin, 1)
    with pytest.raises(Conflict) as caught:
        sign_up(dropin, 1, email="Student1@UNI.example")  # same address, other spelling
    assert caught.value.fields == {"email": "is already signed up for this session"}
    assert _count(db) == 1
    cancel_with_token(db.session, done.token, site=site, now=utcnow())
    again = sign_up(dropin, 1)
    assert again.for_session(dropin.id).status == R


def test_the_database_refuses_a_second_active_registration_for_an_address(
    db, create_dropin
) -> None:
    """The partial unique index backs the check up when requests race past it."""
    from sqlalchemy.exc import IntegrityError

    dropin = create_dropin(capacity=3)
    for n in range(2):
        db.session.add(
            Registration(
                session_id=dropin.id,
                name="A",
                email="a@uni.example",
                status=R,
                manage_token_hash=f"{n}" * 64,
            )
        )
    with pytest.raises(IntegrityError):
        db.session.flush()


# Series --------------------------------------------------------------------------


@pytest.fixture
def course(db, create_dropin):
    series = SessionSeries(title="EndNote course")
    db.session.add(series)
    today = datetime.now(UTC).date()
    return [
        create_dropin(
            series=series,
            title="EndNote course",
            capacity=1,
            day=today + timedelta(days=7 * (n + 1)),
        )
        for n in range(3)
    ]


def test_one_sign_up_covers_chosen_sessions_of_a_series(db, course, sign_up, site) -> None:
    sign_up([course[1].id], 9)  # takes the only place in part 2
    done = sign_up([s.id for s in course], 1, answer="x")
    assert [(r.session_id, r.status, r.position) for r in done.registrations] == [
        (course[0].id, R, None),
        (course[1].id, W, 1),
        (course[2].id, R, None),
    ]
    assert len({r.manage_token_hash for r in done.registrations}) == 1
    (mail,) = outbox(db, "student1@uni.example")
    assert len(calendars(mail)) == 2  # invitations only where there is a place
    assert "You are on the waitlist for:" in mail.body_text
    # The manage link can give back one session and keep the rest.
    cancel_with_token(db.session, done.token, [course[2].id], site=site, now=utcnow())
    assert [r.status for r in done.registrations] == [R, W, RegistrationStatus.CANCELLED]


def test_sessions_of_different_series_cannot_share_a_sign_up(
    db, course, create_dropin, sign_up
) -> None:
    other = create_dropin(capacity=3)
    with pytest.raises(InputError) as caught:
        sign_up([course[0].id, other.id], 1)
    assert "same series" in caught.value.fields["sessions"]


def test_a_series_sign_up_is_all_or_nothing(db, course, sign_up) -> None:
    course[2].status = SessionStatus.CANCELLED
    with pytest.raises(Conflict) as caught:
        sign_up([s.id for s in course], 1)
    assert "This session is cancelled." in caught.value.fields["session"]
    assert _count(db) == 0


def test_staff_can_remove_someone_and_the_next_moves_up(
    db, create_dropin, sign_up, site, host, create_person
) -> None:
    dropin = create_dropin(capacity=1)
    first = sign_up(dropin, 1).for_session(dropin.id)
    sign_up(dropin, 2)
    stranger = create_person(Role.LIBRARIAN)
    with pytest.raises(Forbidden):
        cancel_by_staff(db.session, stranger, first.id, site=site, now=utcnow())
    cancel_by_staff(db.session, host, first.id, site=site, now=utcnow())
    assert _state(dropin) == [("student2@uni.example", R, None)]
    removed = outbox(db, "student1@uni.example")[-1]
    assert "The organisers have cancelled your registration" in removed.body_text


def test_answers_and_lunch_are_kept_only_where_asked(db, create_dropin, sign_up) -> None:
    plain = create_dropin(capacity=3)
    lunch = create_dropin(capacity=3, lunch=True, question="Dietary needs?")
    a = sign_up(plain, 1, answer="ignored", lunch=True).for_session(plain.id)
    b = sign_up(lunch, 1, answer="Vegetarian", lunch=True).for_session(lunch.id)
    c = sign_up(lunch, 2).for_session(lunch.id)
    assert (a.answer, a.lunch) == (None, None)
    assert (b.answer, b.lunch) == ("Vegetarian", True)
    assert c.lunch is False
