"""The HTTP API: one blueprint per resource, schemas from koll.schema, errors as problem+json."""

from __future__ import annotations

from flask_smorest import Blueprint


def blueprints() -> list[Blueprint]:
    from koll.ledger.api import cases, exports, observations, photos, situation, system, taxonomy, walks

    from koll.ledger.api import audit
    from koll.ledger.api import measure_sheets, measures, meetings
    from koll.ledger.api import area_maps, areas
    from koll.ledger.api import users
    from koll.ledger.webhooks import api as webhooks

    return [system.blp, areas.blp, area_maps.blp, taxonomy.blp, observations.blp, cases.blp, situation.blp, audit.blp,
            walks.blp, photos.blp, exports.blp, measures.blp, meetings.blp, measure_sheets.blp,
            webhooks.blp, users.blp]
