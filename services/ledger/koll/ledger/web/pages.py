"""Importing this registers every board page on ``bp``."""

from koll.ledger.web import audit, measures, meetings, signin, situation, walks  # noqa: F401
