"""Packaging beyond pyproject.toml: ship the top-level templates/ and migrations/ in the wheel.

The repository keeps them at the top (the project's fixed layout); an installed
package (a container image built with ``pip install .``) finds them as
``marketplace/templates`` and ``marketplace/migrations`` (see ``marketplace.config``).
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["marketplace*", "worker*"]), "marketplace.templates", "marketplace.migrations"],
    package_dir={"marketplace.templates": "templates", "marketplace.migrations": "migrations"},
    package_data={
        "marketplace": ["static/**/*", "translations/**/*", "data/**/*", "matching/artifacts/*"],
        "marketplace.templates": ["**/*"],
        "marketplace.migrations": ["alembic.ini", "script.py.mako", "versions/*.py"],
    },
)
