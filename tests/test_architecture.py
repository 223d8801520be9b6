"""Where things go, checked: views translate, jobs have names, the wheel ships everything.

The layers themselves are an import-linter contract (``lint-imports``, run by CI and
by the last test below).
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from marketplace.platform import jobs

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "marketplace" / "web"


def python_files(*folders: Path):
    for folder in folders:
        yield from sorted(folder.rglob("*.py"))


def calls(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            yield node


def call_name(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def test_no_view_commits_or_rolls_back_only_the_request_boundary_does():
    allowed = {WEB / "boundary.py", WEB / "errors.py"}  # the boundary, and the 500 handler's rollback
    offenders = [
        f"{path.relative_to(ROOT)}:{node.lineno} {call_name(node)}()"
        for path in python_files(WEB) if path not in allowed
        for node in calls(path) if call_name(node) in {"commit", "rollback"}
    ]
    assert offenders == []


def test_views_read_through_the_areas_queries_not_select():
    allowed_folders = (WEB / "admin",)  # the operator's lists
    offenders = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in python_files(WEB)
        if path != WEB / "authz.py" and not any(folder in path.parents for folder in allowed_folders)
        for node in calls(path) if call_name(node) == "select"
    ]
    assert offenders == []


def test_no_job_is_a_dotted_string_and_nothing_unwraps_a_function():
    for path in python_files(ROOT / "marketplace", ROOT / "worker"):
        text = path.read_text(encoding="utf-8")
        assert "__wrapped__" not in text, path
        assert "worker.jobs" not in text, path


def enqueued_names() -> list[tuple[str, str]]:
    """Every job name an ``enqueue(session, name, …)`` call of the code gives (a literal or a module constant)."""
    found = []
    for path in python_files(ROOT / "marketplace", ROOT / "worker"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {
            target.id: node.value.value
            for node in tree.body if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
            for target in node.targets if isinstance(target, ast.Name)
        }
        for node in calls(path):
            func = node.func
            ours = (isinstance(func, ast.Attribute) and getattr(func.value, "id", "") == "jobs") or (
                isinstance(func, ast.Name) and func.id == "enqueue")
            if not ours or call_name(node) != "enqueue" or len(node.args) < 2:
                continue
            name = node.args[1]
            value = name.value if isinstance(name, ast.Constant) else constants.get(getattr(name, "id", ""), name)
            found.append((f"{path.relative_to(ROOT)}:{node.lineno}", value))
    return found


def test_every_job_a_service_enqueues_is_registered(app):
    # The job machinery and the cron runners enqueue the names they are given.
    found = [(where, name) for where, name in enqueued_names() if not where.startswith(("worker/runtime.py",
                                                                                       "marketplace/platform/jobs.py",
                                                                                       "marketplace/platform/cron.py"))]
    assert {"mail.deliver", "vetting.run_group"} <= {name for _, name in found}  # the scan sees them
    unknown = [(where, name) for where, name in found if not isinstance(name, str) or name not in jobs.registry()]
    assert unknown == []


def test_every_cron_line_names_a_registered_job(app):
    from worker.cron_config import CRON_TABLE

    assert [name for name, _ in CRON_TABLE if name not in jobs.registry()] == []
    assert {"jobs.sweep", "vetting.expiry"} <= {name for name, _ in CRON_TABLE}


def test_an_unregistered_name_is_refused_where_it_is_written(app_ctx, db_session):
    with pytest.raises(jobs.UnknownJob):
        jobs.enqueue(db_session, "vetting.run_every_check")


def test_registered_jobs_are_plain_functions_of_a_session(app):
    for name, spec in jobs.registry().items():
        params = list(spec.func.__code__.co_varnames[: spec.func.__code__.co_argcount])
        assert params and params[0] == "session", name
        assert spec.queue in jobs.QUEUES, name


def test_the_wheel_ships_templates_and_migrations(tmp_path):
    """A container image built with ``pip install .`` has the templates and the migrations."""
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True, text=True, timeout=300,
    )
    if result.returncode != 0:  # without the build tools in this environment, build isolation fetches them
        result = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
            capture_output=True, text=True, timeout=300,
        )
    assert result.returncode == 0, result.stderr[-2000:]
    [wheel] = tmp_path.glob("marketplace-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    templates = {p.relative_to(ROOT / "templates").as_posix() for p in (ROOT / "templates").rglob("*") if p.is_file()}
    versions = {p.name for p in (ROOT / "migrations" / "versions").glob("*.py")}
    assert {f"marketplace/templates/{t}" for t in templates} <= names
    assert {f"marketplace/migrations/versions/{v}" for v in versions} <= names
    assert {"marketplace/migrations/env.py", "marketplace/migrations/alembic.ini"} <= names
    shutil.rmtree(tmp_path, ignore_errors=True)


def test_the_layers_hold():
    """import-linter: translators → services → platform → models; a pure matcher; no import cycles."""
    executable = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(executable)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:]
