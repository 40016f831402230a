"""The ``scheduler`` command: database set-up, demo data, serving, roster solving."""

from __future__ import annotations

import click
from flask.cli import FlaskGroup


def _create_app():
    from scheduler import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False)
def cli() -> None:
    """Library booking and staffing scheduler."""


@cli.group()
def roster() -> None:
    """First-line roster engine."""


def main() -> None:
    cli(prog_name="scheduler")
