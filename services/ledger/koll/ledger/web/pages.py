"""Importing this registers every board page on ``bp``."""

from koll.ledger.web import admin, areas, audit, cases, measures, meetings, signin, situation, walks  # noqa: F401
