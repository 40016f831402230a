"""Staff accounts: passwords (hashing, the rule, one-time links, change and reset),
sign-in with a brake on guessing, invitations and the first administrator.

No Flask: the web pages, the CLI and the booking code call these with a database
session (and a :class:`~scheduler.site.Site` where an e-mail or link is made).
"""

from scheduler.accounts.admins import AdminResult, create_admin
from scheduler.accounts.change import change_password
from scheduler.accounts.invitations import invite
from scheduler.accounts.links import (
    IssuedLink,
    LinkState,
    LinkUnusable,
    find_link,
    issue_link,
    redeem,
    usable_link,
)
from scheduler.accounts.passwords import (
    MIN_PASSWORD_LENGTH,
    hash_password,
    needs_rehash,
    set_password,
    verify_password,
)
from scheduler.accounts.people import create_person, find_by_email, normalise_email
from scheduler.accounts.policy import check_password, password_problem, user_words
from scheduler.accounts.reset import request_reset
from scheduler.accounts.sign_in import authenticate
from scheduler.accounts.throttle import SignInThrottled, ThrottleRules
from scheduler.tokens import new_token, token_digest, tokens_equal

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "AdminResult",
    "IssuedLink",
    "LinkState",
    "LinkUnusable",
    "SignInThrottled",
    "ThrottleRules",
    "authenticate",
    "change_password",
    "check_password",
    "create_admin",
    "create_person",
    "find_by_email",
    "find_link",
    "hash_password",
    "invite",
    "issue_link",
    "needs_rehash",
    "new_token",
    "normalise_email",
    "password_problem",
    "redeem",
    "request_reset",
    "set_password",
    "token_digest",
    "tokens_equal",
    "usable_link",
    "user_words",
    "verify_password",
]
