"""The vocabulary, as the phone and the boards need it."""

from __future__ import annotations

from dataclasses import asdict

from flask_smorest import Blueprint

from koll.ledger.api.auth import READ, requires
from koll.schema import taxonomy, vocabulary

blp = Blueprint("taxonomy", __name__, url_prefix="/api/v1", description="Categories, places and statuses")


def _terms(terms: tuple[vocabulary.Term, ...]) -> list[dict]:
    return [asdict(t) for t in terms]


@blp.route("/taxonomy")
@requires(*READ)
def get_taxonomy():  # type: ignore[no-untyped-def]
    return {
        "groups": [asdict(g) for g in taxonomy.GROUPS],
        "categories": [asdict(c) for c in taxonomy.CATEGORIES],
        "places": [asdict(p) for p in taxonomy.PLACES],
        "organisations": [asdict(o) for o in taxonomy.ORGANISATIONS],
        "attributes": [asdict(a) for a in taxonomy.ATTRIBUTES],
        "case_statuses": _terms(vocabulary.CASE_STATUSES),
        "case_close_reasons": _terms(vocabulary.CASE_CLOSE_REASONS),
        "measure_statuses": _terms(vocabulary.MEASURE_STATUSES),
        "outcomes": _terms(vocabulary.OUTCOMES),
        "palette": _terms(vocabulary.PALETTE),
        "tracks": _terms(vocabulary.TRACKS),
        "horizons": _terms(vocabulary.HORIZONS),
        "focus_areas": _terms(vocabulary.FOCUS_AREAS),
        "sortings": {k: _terms(v) for k, v in vocabulary.SORTINGS.items()},
        "roles": _terms(vocabulary.ROLES),
        "visibilities": _terms(vocabulary.VISIBILITIES),
        "time_of_day": _terms(vocabulary.TIME_OF_DAY),
        "case_ages": _terms(vocabulary.CASE_AGES),
    }
