"""Marketplace of vetted, time-shared freelance office managers for French SMEs."""

from marketplace.app import create_app

__all__ = ["create_app"]
