"""The ``marketplace`` console script."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask.cli import FlaskGroup
from werkzeug.serving import WSGIRequestHandler

from marketplace.app import create_app
from marketplace.matching.cli import matcher_group, rank_file_command

DEMO_LOGINS = (
    ("Entreprise", "pme@demo.test", "demo-pme"),
    ("Entreprise (autre)", "pme2@demo.test", "demo-pme"),
    ("Office manager", "om@demo.test", "demo-om"),
    ("Office manager (autre)", "om2@demo.test", "demo-om"),
    ("Administration", "admin@demo.test", "demo-admin"),
)


class QuietHandler(WSGIRequestHandler):
    """Werkzeug's request handler without the ``Server`` header (which names Werkzeug and Python)."""

    def send_header(self, keyword: str, value: str) -> None:
        if keyword.lower() != "server":
            super().send_header(keyword, value)


@click.group(cls=FlaskGroup, create_app=create_app, add_default_commands=True)
def main() -> None:
    """Marketplace of freelance office managers: administration commands."""


@main.command("demo", with_appcontext=False)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--instance", "instance_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Dossier de la base SQLite et des fichiers (défaut : ./instance).")
@click.option("--no-serve", is_flag=True, help="Prépare la base et les données puis s'arrête.")
def demo_command(host: str, port: int, instance_dir: Path | None, no_serve: bool) -> None:
    """Create or migrate the embedded SQLite database, seed the demo and serve it."""
    from marketplace.commands import upgrade_database
    from marketplace.db import commit, db
    from marketplace.demo import seed

    instance = (instance_dir or Path.cwd() / "instance").resolve()
    instance.mkdir(parents=True, exist_ok=True)
    os.environ["MARKETPLACE_INSTANCE"] = str(instance)
    # The demo is the embedded mode whatever the shell exports: SQLite, jobs in-process.
    app = create_app(
        {
            "INSTANCE_PATH": str(instance),
            "DATABASE_URL": f"sqlite:///{instance / 'marketplace.sqlite'}",
            "REDIS_URL": None,
            "MARKETPLACE_ENV": "embedded",
            "BASE_URL": f"http://{host}:{port}",
        }
    )
    with app.app_context():
        upgrade_database()
        summary = seed(db.session())
        commit()
    click.echo(f"Base de démonstration prête dans {instance} : {summary}")
    click.echo("Comptes de démonstration :")
    for label, email, password in DEMO_LOGINS:
        click.echo(f"  {label:24} {email:18} / {password}")
    if no_serve:
        return
    click.echo(f"Ouvrez http://{host}:{port}/  (Ctrl+C pour arrêter)")
    # app.run() refuses to run under the flask CLI; serve with Werkzeug directly.
    from werkzeug.serving import run_simple

    run_simple(host, port, app, use_reloader=False, use_debugger=False, threaded=True, request_handler=QuietHandler)


main.add_command(rank_file_command)
main.add_command(matcher_group)
