"""The matcher stays free of Flask and the database: the app wires it, not the reverse."""

from __future__ import annotations

import ast
from pathlib import Path

import marketplace.matching

FORBIDDEN = {"flask", "sqlalchemy", "flask_sqlalchemy", "alembic", "redis", "rq"}


def test_no_web_or_database_import():
    package = Path(marketplace.matching.__file__).parent
    for path in package.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in FORBIDDEN, f"{path.name} imports {name}"
                # the shared vocabulary and French formats are fine; the app factory and models are not
                inside = name.startswith(("marketplace.matching", "marketplace.domain", "marketplace.formatting"))
                assert inside or not name.startswith("marketplace"), f"{path.name} imports {name}"


def test_public_api_is_importable():
    for name in marketplace.matching.__all__:
        assert getattr(marketplace.matching, name) is not None
