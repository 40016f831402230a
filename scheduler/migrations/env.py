"""Alembic environment, driven by Flask-Migrate from the app's own engine and models."""

import logging

from alembic import context
from flask import current_app

config = context.config
# Migrations run inside the application (`scheduler init-db`, `serve`, `demo`), so the
# logging set-up belongs to the application. Alembic's usual `fileConfig` would close
# every handler the process holds (the app's log handlers, a library's, a test
# runner's captured streams) and install its own; only set alembic's levels here.
for name in ("alembic", "flask_migrate"):
    logging.getLogger(name).setLevel(logging.INFO)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db


def get_engine():
    return target_db.engine


config.set_main_option(
    "sqlalchemy.url", get_engine().url.render_as_string(hide_password=False).replace("%", "%%")
)


def run_migrations_offline():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_db.metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    def process_revision_directives(context, revision, directives):
        # Never write an empty revision from autogenerate.
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    # SQLite cannot ALTER most things in place; batch mode copies the table instead.
    conf_args.setdefault("render_as_batch", True)
    conf_args.setdefault("compare_type", True)

    with get_engine().connect() as connection:
        context.configure(connection=connection, target_metadata=target_db.metadata, **conf_args)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
