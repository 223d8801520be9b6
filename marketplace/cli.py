"""The ``marketplace`` console script."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask.cli import FlaskGroup, ScriptInfo, run_command
from flask.helpers import get_debug_flag
from werkzeug.serving import WSGIRequestHandler, is_running_from_reloader

from marketplace.app import create_app
from marketplace.matching.cli import matcher_group, rank_file_command
from marketplace.platform import cron

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
        # No cron scheduler here: one tick runs what is due (expiry notices, reminders, auto-approvals).
        ticked = cron.tick()
    click.echo(f"Base de démonstration prête dans {instance} : {summary}")
    click.echo(f"Tâches périodiques exécutées : {len(ticked)} (puis chaque minute tant que le serveur tourne).")
    click.echo("Comptes de démonstration :")
    for label, email, password in DEMO_LOGINS:
        click.echo(f"  {label:24} {email:18} / {password}")
    if no_serve:
        return
    click.echo(f"Ouvrez http://{host}:{port}/  (Ctrl+C pour arrêter)")
    # app.run() refuses to run under the flask CLI; serve with Werkzeug directly.
    from werkzeug.serving import run_simple

    cron.start_background(app)  # the cron table, ticked each minute in this process
    run_simple(host, port, app, use_reloader=False, use_debugger=False, threaded=True, request_handler=QuietHandler)


@main.command("run", context_settings=run_command.context_settings, params=run_command.params,
              help=(run_command.help or "") + " Sans Redis, les tâches périodiques tournent dans le serveur.")
@click.pass_context
def run_with_cron(ctx: click.Context, **options) -> None:
    """``flask run``, plus the cron table ticked in-process in the embedded mode."""
    reload = options.get("reload")
    if reload is None:
        reload = get_debug_flag()
    # Under the reloader only the serving child ticks (the watching parent never serves).
    if not reload or is_running_from_reloader():
        cron.start_background(ctx.ensure_object(ScriptInfo).load_app())
    ctx.invoke(run_command, **options)


main.add_command(rank_file_command)
main.add_command(matcher_group)
