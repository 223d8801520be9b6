"""The ``marketplace`` console script."""

from __future__ import annotations

import click
from flask.cli import FlaskGroup

from marketplace.app import create_app


@click.group(cls=FlaskGroup, create_app=create_app, add_default_commands=True)
def main() -> None:
    """Marketplace of freelance office managers: administration commands."""


def _register_optional_commands() -> None:
    try:
        from marketplace.matching.cli import matcher_group, rank_file_command
    except ImportError:  # the matcher lands separately
        return
    main.add_command(rank_file_command)
    main.add_command(matcher_group)


_register_optional_commands()
