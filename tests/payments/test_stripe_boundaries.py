"""What the adapter promises the rest of the code: it alone imports ``stripe``, it
imports nothing but the standard library and ``stripe``, and localstripe (GPL) is
never imported, only run as a process."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ADAPTER = ROOT / "marketplace" / "platform" / "stripe_adapter.py"


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def python_files(*folders: str) -> list[Path]:
    return [p for folder in folders for p in sorted((ROOT / folder).rglob("*.py"))]


def test_only_the_adapter_imports_stripe():
    importers = [p.relative_to(ROOT) for p in python_files("marketplace", "worker") if "stripe" in imported_roots(p)]

    assert importers == [ADAPTER.relative_to(ROOT)]


def test_localstripe_is_never_imported():
    importers = [p for p in python_files("marketplace", "worker", "tests") if "localstripe" in imported_roots(p)]

    assert importers == []


def test_the_adapter_loads_without_flask_or_the_database():
    # Loaded on its own, not through the ``marketplace`` package (whose __init__ builds the app).
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('stripe_adapter', {str(ADAPTER)!r})\n"
        "module = importlib.util.module_from_spec(spec)\n"
        "sys.modules['stripe_adapter'] = module\n"
        "spec.loader.exec_module(module)\n"
        "loaded = sorted(m for m in ('flask', 'sqlalchemy', 'marketplace') if m in sys.modules)\n"
        "print(','.join(loaded))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert done.stdout.strip() == ""
    assert imported_roots(ADAPTER) - set(sys.stdlib_module_names) == {"stripe"}
