"""Importing this registers every board page on ``bp``."""

from koll.ledger.web import admin, audit, cases, description, measures, meetings, signin, situation, walks  # noqa: F401
