"""The password rule: at least 12 characters and hard to guess; no composition rules."""

from __future__ import annotations

import pytest

from scheduler.accounts import check_password, password_problem, user_words
from scheduler.errors import InputError
from scheduler.i18n import translator
from scheduler.reasons import translate


def test_eleven_characters_are_too_few_whatever_they_are() -> None:
    assert password_problem("Xq7#vB2!kL9") == "must be at least 12 characters long"


@pytest.mark.parametrize(
    "password", ["password1234", "123456789012", "qwertyuiopasdf", "aaaaaaaaaaaaaaaa"]
)
def test_common_and_patterned_passwords_are_refused(password: str) -> None:
    problem = password_problem(password)
    assert problem is not None
    assert problem.startswith("is too easy to guess")


def test_long_uncommon_words_are_enough_without_digits_or_symbols() -> None:
    # No composition rule: four lower-case words pass.
    assert password_problem("velvet tractor minnow lantern") is None


def test_the_persons_own_name_and_address_count_as_easy_words() -> None:
    password = "kaiaforsberg2027"
    assert password_problem(password) is None
    mine = user_words("Kaia Forsberg", "kaia.forsberg@uni.example")
    assert password_problem(password, mine) is not None


def test_the_reason_says_why_in_the_readers_language() -> None:
    with pytest.raises(InputError) as caught:
        check_password("password1234", field="new_password")
    reason = caught.value.fields["new_password"]
    assert reason == (
        "is too easy to guess. This is a very common password. "
        "Add another word or two. Uncommon words are better."
    )
    nb = translate(reason, translator("nb"))
    assert nb == (
        "er for lett å gjette. Dette er et svært vanlig passord. "
        "Legg til et ord eller to til. Uvanlige ord er best."
    )
    short = translate(password_problem("kort"), translator("nb"))
    assert short == "må være minst 12 tegn langt"


def test_very_long_and_unstorable_passwords_are_refused_not_crashed() -> None:
    assert password_problem("x" * 1001) == "must be at most 1000 characters long"
    assert password_problem("velvet tractor \ud800 minnow") == (
        "contains characters that cannot be stored"
    )
    # Longer than zxcvbn itself accepts (72): judged by its beginning.
    assert password_problem("velvet tractor minnow lantern " * 4) is None
