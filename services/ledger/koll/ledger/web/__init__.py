"""The boards: Jinja pages for the operational and strategic groups, Swedish first.

Pages read the read models through ``koll.ledger.queries`` (the same functions the API
calls) and record decisions through the Ledger; nothing here talks HTTP to the API.
"""

from __future__ import annotations

from flask import Flask

from koll.ledger.web import i18n
from koll.ledger.web.common import bp


def register(app: Flask) -> None:
    """Attach the boards' pages, and the filters every template (the API's printable pages too) uses."""
    from koll.ledger.web import pages  # noqa: F401 - the routes register themselves on bp

    app.add_template_filter(i18n.local, "local")
    app.add_template_global(i18n.count, "count")
    app.add_template_global(i18n.noun, "noun")
    app.add_template_global(i18n.number, "number")
    app.add_template_global(i18n.long_date, "long_date")
    app.register_blueprint(bp)
