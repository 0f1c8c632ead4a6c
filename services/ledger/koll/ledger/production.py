"""What a production start refuses (KOLL_ENV=production), checked once before serving.

The settings themselves (the secret key, the cookie) are refused in config.py; what needs the
database is here: the demo's logins, whose password is printed in the README for anyone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from koll.ledger.config import Settings, SettingsRefused

if TYPE_CHECKING:
    from koll.ledger.application import Ledger


def demo_logins_in_use(ledger: Ledger) -> list[str]:
    """The demo's users still signing in with the demo's published password."""
    from koll.ledger.demo import DEMO_PASSWORD, USERS

    return [name for name, _role, _org in USERS
            if ledger.user(name) is not None and ledger.credentials.check_password(name, DEMO_PASSWORD)]


def refuse_unsafe(settings: Settings, ledger: Ledger) -> None:
    """Raises SettingsRefused when a production start would be unsafe; nothing in development."""
    if not settings.production:
        return
    known = demo_logins_in_use(ledger)
    if known:
        raise SettingsRefused(
            f"KOLL_ENV=production, but the demo's users {', '.join(known)} sign in with the demo's published "
            "password: this is a demo ledger. Point KOLL_DATABASE_URL at the city's own database, or "
            "deactivate those users (or give them new passwords) first.")
