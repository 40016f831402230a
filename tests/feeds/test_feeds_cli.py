"""``scheduler feeds revoke``: stop feed links from the command line."""

from __future__ import annotations

from scheduler.models import Role


def test_revoke_one_persons_links(client, runner, create_person, feed_token):
    kari = create_person(Role.FIRST_LINE, email="kari@uni.example")
    other = create_person(Role.FIRST_LINE)
    kari_token, other_token = feed_token(kari), feed_token(other)
    client.get("/")  # commit the arranged rows
    result = runner.invoke(args=["feeds", "revoke", "--email", "Kari@uni.example"])
    assert result.exit_code == 0, result.output
    assert "Revoked 1 feed link." in result.output
    assert client.get(f"/feeds/{kari_token}/all.ics").status_code == 404
    assert client.get(f"/feeds/{other_token}/all.ics").status_code == 200


def test_revoke_everyones_links(client, runner, create_person, feed_token):
    feeds = [feed_token(create_person(Role.FIRST_LINE)) for _ in range(3)]
    client.get("/")
    result = runner.invoke(args=["feeds", "revoke", "--all"])
    assert result.exit_code == 0, result.output
    assert "Revoked 3 feed links." in result.output
    assert all(client.get(f"/feeds/{t}/all.ics").status_code == 404 for t in feeds)


def test_bad_arguments_exit_2_and_change_nothing(client, runner, create_person, feed_token):
    token = feed_token(create_person(Role.FIRST_LINE))
    client.get("/")
    unknown = runner.invoke(args=["feeds", "revoke", "--email", "nobody@uni.example"])
    assert unknown.exit_code == 2
    assert "--email: no person with e-mail 'nobody@uni.example'" in unknown.output
    neither = runner.invoke(args=["feeds", "revoke"])
    assert neither.exit_code == 2
    assert "either --email or --all" in neither.output
    assert client.get(f"/feeds/{token}/all.ics").status_code == 200
