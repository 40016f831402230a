"""Names and descriptions per language: stored by a use case, shown with a fallback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from scheduler.booking.content_translations import set_translations
from scheduler.errors import Forbidden, InputError
from scheduler.models import DropInSession, GroupQuestion, Role
from scheduler.models.translations import localized


def test_a_translation_is_shown_and_missing_fields_fall_back(db, create_person, create_topic):
    admin = create_person(Role.ADMIN)
    topic = create_topic(name="Nursing", description="Searching CINAHL")
    set_translations(db.session, admin, topic, "sv", {"name": "Omvårdnad", "description": ""})
    db.session.commit()
    db.session.expire_all()
    assert topic.localized("name", "sv") == "Omvårdnad"
    assert topic.localized("description", "sv") == "Searching CINAHL"  # none written: fallback
    assert topic.localized("name", "nb") == "Nursing"
    assert topic.localized("name", None) == "Nursing"
    assert localized(topic, "name", "sv") == "Omvårdnad"


def test_an_empty_text_removes_the_translation(db, create_person, create_library):
    admin = create_person(Role.ADMIN)
    library = create_library(name="Law Library")
    set_translations(db.session, admin, library, "nb", {"name": "Juridisk bibliotek"})
    set_translations(db.session, admin, library, "sv", {"name": "Juridiska biblioteket"})
    set_translations(db.session, admin, library, "nb", {"name": "  "})
    db.session.commit()
    db.session.expire_all()
    assert library.translations == {"sv": {"name": "Juridiska biblioteket"}}
    assert library.localized("name", "nb") == "Law Library"


def test_bad_input_names_the_field_and_changes_nothing(db, create_person, create_topic_group):
    admin = create_person(Role.ADMIN)
    group = create_topic_group(name="Law")
    with pytest.raises(InputError) as err:
        set_translations(db.session, admin, group, "de", {"name": "Recht"})
    assert "lang" in err.value.fields
    with pytest.raises(InputError) as err:
        set_translations(db.session, admin, group, "sv", {"slug": "juridik"})
    assert "slug" in err.value.fields
    with pytest.raises(InputError) as err:
        set_translations(db.session, admin, group, "sv", {"name": "x" * 201})
    assert "name" in err.value.fields
    assert group.translations is None


def test_only_administrators_translate_shared_set_up(db, create_person, create_topic_group):
    leader = create_person(Role.SECTION_LEADER)
    group = create_topic_group(name="Law")
    question = GroupQuestion(group=group, position=1, label="Which course?")
    db.session.add(question)
    db.session.flush()
    with pytest.raises(Forbidden):
        set_translations(db.session, leader, question, "sv", {"label": "Vilken kurs?"})
    assert question.translations is None
    set_translations(
        db.session, create_person(Role.ADMIN), question, "sv", {"label": "Vilken kurs?"}
    )
    assert question.localized("label", "sv") == "Vilken kurs?"


def test_drop_ins_are_translated_by_staff_of_their_library(
    db, create_person, create_library
) -> None:
    library, other = create_library(), create_library()
    starts = datetime.now(UTC) + timedelta(days=7)
    dropin = DropInSession(
        title="Zotero drop-in",
        library=library,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
    )
    db.session.add(dropin)
    db.session.flush()
    outsider = create_person(Role.LIBRARIAN, libraries=[other])
    with pytest.raises(Forbidden):
        set_translations(db.session, outsider, dropin, "sv", {"title": "Zotero-verkstad"})
    librarian = create_person(Role.LIBRARIAN, libraries=[library])
    set_translations(db.session, librarian, dropin, "sv", {"title": "Zotero-verkstad"})
    assert dropin.localized("title", "sv") == "Zotero-verkstad"
