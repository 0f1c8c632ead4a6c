"""Importing this registers every board page on ``bp``."""

from koll.ledger.web import (  # noqa: F401
    admin, areas, audit, cases, description, goals, measures, meetings, public, signin, situation, walks,
)
