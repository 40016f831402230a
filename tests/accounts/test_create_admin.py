"""``scheduler create-admin``: the first administrator from an empty database, never
a second account for the same address, and bad input on stderr with exit code 2."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from scheduler import accounts
from scheduler.models import LinkPurpose, PasswordLink, Person, Role
from scheduler.timeutil import utcnow

ROOT = Path(__file__).resolve().parents[2]
LINK = re.compile(r"https://library\.test/account/password/([A-Za-z0-9_-]+)")
PASSWORD = "velvet tractor minnow lantern"


def _people(db) -> int:
    return db.session.scalar(select(func.count(Person.id)))


def test_creates_an_administrator_and_prints_a_one_time_link(runner, db) -> None:
    result = runner.invoke(args=["create-admin", "Kari@Uni.example", "--name", "Kari Nordmann"])
    assert result.exit_code == 0, result.output
    assert "Created the administrator Kari Nordmann <kari@uni.example>." in result.output
    token = LINK.search(result.output).group(1)
    kari = accounts.find_by_email(db.session, "kari@uni.example")
    assert kari.is_admin
    assert kari.library_roles == []
    assert kari.password_hash is None
    link = db.session.scalar(select(PasswordLink))
    assert link.purpose == LinkPurpose.SET
    assert link.expires_at - link.created_at == accounts.links.LIFETIMES[LinkPurpose.SET]
    accounts.redeem(db.session, token, PASSWORD, utcnow())
    assert accounts.verify_password(kari.password_hash, PASSWORD)


def test_running_it_again_promotes_and_never_makes_a_second_account(
    runner, db, create_person
) -> None:
    create_person(Role.LIBRARIAN, email="kari@uni.example", name="Kari", active=False)
    before = _people(db)
    first = runner.invoke(args=["create-admin", "KARI@uni.example"])
    assert first.exit_code == 0, first.output
    assert "is an administrator (no new account)" in first.output
    second = runner.invoke(args=["create-admin", "kari@uni.example", "--name", "Kari N."])
    assert second.exit_code == 0, second.output
    assert _people(db) == before
    kari = accounts.find_by_email(db.session, "kari@uni.example")
    assert kari.is_admin
    assert {r.role for r in kari.library_roles} == {Role.LIBRARIAN}  # kept where held
    assert kari.active
    assert kari.name == "Kari N."
    # Only the newest link works.
    tokens = [LINK.search(r.output).group(1) for r in (first, second)]
    states = [accounts.find_link(db.session, t, utcnow())[0] for t in tokens]
    assert states == [accounts.LinkState.USED, accounts.LinkState.VALID]


def test_password_from_stdin(runner, db) -> None:
    result = runner.invoke(
        args=["create-admin", "ola@uni.example", "--name", "Ola", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "The password is set." in result.output
    assert LINK.search(result.output) is None
    ola = accounts.find_by_email(db.session, "ola@uni.example")
    assert accounts.verify_password(ola.password_hash, PASSWORD)


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["not-an-address", "--name", "X"], None, "error: EMAIL: is not a valid e-mail address"),
        (["new@uni.example"], None, "error: --name: is required to create an account"),
        (
            ["new@uni.example", "--name", "New", "--password-stdin"],
            "password1234\n",
            "error: --password-stdin: is too easy to guess. This is a very common password.",
        ),
        (
            ["new@uni.example", "--name", "New", "--password-stdin"],
            "short\n",
            "error: --password-stdin: must be at least 12 characters long",
        ),
        (
            ["new@uni.example", "--name", "New", "--password-stdin"],
            "",
            "error: --password-stdin: no password on standard input",
        ),
    ],
)
def test_bad_input_exits_2_and_changes_nothing(runner, db, args, stdin, message) -> None:
    before = _people(db)
    result = runner.invoke(args=["create-admin", *args], input=stdin)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""
    assert _people(db) == before


@pytest.mark.slow
def test_as_a_real_command_on_an_empty_database(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCHEDULER_")}
    env.update(
        {
            "SCHEDULER_INSTANCE": str(tmp_path / "instance"),
            "SCHEDULER_PUBLIC_URL": "https://library.test",
            "PYTHONPATH": str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
        }
    )
    command = [sys.executable, "-c", "from scheduler.cli import main; main()"]

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run(
            [*command, *args],
            cwd=tmp_path,
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert run("init-db").returncode == 0
    bad = run("create-admin", "nobody")
    assert bad.returncode == 2
    assert bad.stderr.startswith("error: EMAIL: ")
    made = run("create-admin", "admin@uni.example", "--name", "Admin")
    assert made.returncode == 0, made.stderr
    assert LINK.search(made.stdout)
    again = run("create-admin", "admin@uni.example", "--password-stdin", stdin=PASSWORD + "\n")
    assert again.returncode == 0, again.stderr
    assert "no new account" in again.stdout
