"""/staff/my-roster-wishes: staff list, add and delete their own absences and preferences."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from scheduler.models import Absence, Role, RosterPreference
from scheduler.rostering.wishes import absence_span

URL = "/staff/my-roster-wishes"
EN = {"Accept-Language": "en"}


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_absence_span_covers_whole_days_in_local_time() -> None:
    from datetime import date

    starts, ends = absence_span(date(2027, 3, 3), None, date(2027, 3, 5), None, "Europe/Oslo")
    assert starts == datetime(2027, 3, 2, 23, tzinfo=UTC)
    assert ends == datetime(2027, 3, 5, 23, tzinfo=UTC)


def test_staff_add_list_and_delete_an_absence(client, db, create_person, login) -> None:
    me = create_person(Role.FIRST_LINE)
    login(me)
    response = client.post(
        URL,
        data={
            "action": "add_absence",
            "absence-start_date": "2030-03-04",
            "absence-end_date": "2030-03-05",
            "absence-kind": "course",
            "absence-note": "Conference",
        },
    )
    assert response.status_code == 302
    absence = db.session.scalar(select(Absence))
    assert absence.person_id == me.id
    assert absence.starts_at == datetime(2030, 3, 3, 23, tzinfo=UTC)
    assert absence.ends_at == datetime(2030, 3, 5, 23, tzinfo=UTC)
    page = client.get(URL, headers=EN).get_data(as_text=True)
    assert "Conference" in page
    assert client.post(URL, data={"action": "delete_absence", "id": absence.id}).status_code == 302
    assert _count(db, Absence) == 0


def test_backwards_absence_is_refused(client, db, create_person, login) -> None:
    login(create_person(Role.FIRST_LINE))
    response = client.post(
        URL,
        data={
            "action": "add_absence",
            "absence-start_date": "2030-03-05",
            "absence-start_time": "12:00",
            "absence-end_date": "2030-03-05",
            "absence-end_time": "09:00",
            "absence-kind": "other",
        },
        headers=EN,
    )
    assert response.status_code == 422
    assert "must end after it starts" in response.get_data(as_text=True)
    assert _count(db, Absence) == 0


def test_preferences_have_signed_weights(client, db, create_person, login) -> None:
    me = create_person(Role.FIRST_LINE)
    login(me)
    for wish, strength in [("dislike", "3"), ("prefer", "5")]:
        response = client.post(
            URL,
            data={
                "action": "add_preference",
                "pref-date": "2030-03-06",
                "pref-start_time": "17:00",
                "pref-end_time": "20:00",
                "pref-wish": wish,
                "pref-strength": strength,
            },
        )
        assert response.status_code == 302
    weights = sorted(p.weight for p in db.session.scalars(select(RosterPreference)))
    assert weights == [-5, 3]
    page = client.get(URL, headers=EN).get_data(as_text=True)
    assert "rather not work (strength 3)" in page
    assert "would like to work (strength 5)" in page


def test_only_own_wishes_can_be_deleted(client, db, create_person, login) -> None:
    other = create_person(Role.FIRST_LINE)
    theirs = Absence(
        person_id=other.id,
        starts_at=datetime(2030, 1, 1, tzinfo=UTC),
        ends_at=datetime(2030, 1, 2, tzinfo=UTC),
    )
    db.session.add(theirs)
    db.session.flush()
    theirs_id = theirs.id
    login(create_person(Role.FIRST_LINE))
    assert client.post(URL, data={"action": "delete_absence", "id": theirs_id}).status_code == 404
    assert db.session.get(Absence, theirs_id) is not None
    page = client.get(URL, headers=EN).get_data(as_text=True)
    assert "No absences ahead." in page


def test_wishes_need_a_staff_account(client, create_person, login) -> None:
    assert client.get(URL).status_code == 302  # anonymous: to sign-in
    login(create_person())  # an account without a staff role
    assert client.get(URL).status_code == 403
