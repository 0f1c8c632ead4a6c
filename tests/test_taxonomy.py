"""The Hässelby torg vocabulary is data; these tests hold it to the rules the domain sets."""

import re
from collections import Counter

import pytest

from koll.schema import taxonomy as t
from koll.schema import vocabulary as v

METRO = t.place("tunnelbaneuppgangen")


def _labelled():
    """Everything that carries Swedish and English labels."""
    yield from t.GROUPS
    yield from t.CATEGORIES
    yield from t.ORGANISATIONS
    yield from t.PLACES
    for a in t.ATTRIBUTES:
        yield a
        yield from a.choices
    for name in dir(v):
        value = getattr(v, name)
        if isinstance(value, tuple) and value and isinstance(value[0], v.Term):
            yield from value
    for terms in v.SORTINGS.values():
        yield from terms


# --- categories --------------------------------------------------------------------------


def test_enough_categories_in_enough_groups():
    assert len(t.CATEGORIES) >= 45
    assert len(t.GROUPS) >= 9
    assert len({c.group for c in t.CATEGORIES}) >= 9


def test_category_codes_are_unique_and_stable_format():
    counts = Counter(c.code for c in t.CATEGORIES)
    assert [code for code, n in counts.items() if n > 1] == []
    for c in t.CATEGORIES:
        assert re.fullmatch(r"[A-Z]{3}-\d{2}", c.code), c.code
        assert c.code.startswith(c.group + "-"), c.code


def test_every_category_points_at_an_existing_group_and_owner():
    for c in t.CATEGORIES:
        assert c.group in t.GROUP_BY_CODE, c
        assert c.owner in t.ORGANISATION_BY_CODE, c


def test_every_group_has_categories():
    for g in t.GROUPS:
        assert t.categories_in(g.code), g.code


def test_category_fields_use_the_closed_value_sets():
    for c in t.CATEGORIES:
        assert c.visibility in v.codes(v.VISIBILITIES), c
        assert c.photo in t.PHOTO_VALUES, c


def test_social_disorder_is_never_public_and_never_photographed():
    # GDPR art. 10: observations that may be about suspected offences.
    soc = t.categories_in("SOC")
    assert len(soc) >= 9
    for c in soc:
        assert c.photo == "blocked", c.code
        assert c.visibility in ("internal", "restricted"), c.code


def test_draft_rules_are_translated_faithfully():
    assert t.category("BEL-01").photo == "required"  # K
    assert t.category("BEL-02").photo == "optional"  # V
    assert t.category("REN-06").photo == "blocked"  # E
    assert t.category("SOC-01").visibility == "restricted"  # R
    assert t.category("REN-04").visibility == "internal"  # I
    assert t.category("KLO-01").owner == "trafikkontoret"
    assert t.category("SOC-08").owner == "sdf-ifo"


def test_report_phenomena_missing_from_the_draft_are_covered():
    labels = " ".join(c.sv.lower() for c in t.CATEGORIES)
    for word in ("utsättning", "rån", "utpressning", "snatteri", "plankning", "rekrytering", "garaget", "goda krafter"):
        assert word in labels, word


def test_positive_and_urgent_flags():
    assert t.category("UPP-02").positive and t.category("UPP-05").positive
    assert not any(c.positive for c in t.categories_in("SOC"))
    assert t.category("SOC-05").urgent_hint and t.category("SOC-11").urgent_hint
    assert not t.category("REN-01").urgent_hint


def test_unknown_codes_raise_a_clear_key_error():
    with pytest.raises(KeyError, match="unknown category code 'XXX-99'"):
        t.category("XXX-99")
    with pytest.raises(KeyError, match="unknown place"):
        t.place("nowhere")
    with pytest.raises(KeyError, match="unknown organisation"):
        t.organisation("ÖVR")
    with pytest.raises(KeyError, match="unknown group"):
        t.group("ÖVR")


# --- labels and codes ---------------------------------------------------------------------


def test_every_label_is_non_empty_in_both_languages():
    items = list(_labelled())
    assert len(items) > 100
    for item in items:
        assert item.sv.strip() and item.en.strip(), item


def test_codes_are_unique_within_every_vocabulary():
    for name in dir(v):
        value = getattr(v, name)
        if isinstance(value, tuple) and value and isinstance(value[0], v.Term):
            assert len(set(v.codes(value))) == len(value), name
    for terms in v.SORTINGS.values():
        assert len(set(v.codes(terms))) == len(terms) == 2
    assert set(v.SORTINGS) == set(v.codes(v.SORTING_DIMENSIONS))


def test_organisation_and_place_codes_are_ascii_lowercase():
    for item in (*t.ORGANISATIONS, *t.PLACES):
        assert re.fullmatch(r"[a-z][a-z0-9-]*", item.code), item.code
    for o in t.ORGANISATIONS:
        assert o.sector in t.SECTOR_VALUES, o


def test_the_vocabularies_the_contract_names():
    assert v.codes(v.CASE_STATUSES) == ("new", "triaged", "assigned", "in_progress", "resolved", "closed")
    assert v.codes(v.MEASURE_STATUSES) == ("idea", "decided", "started", "paused", "done", "cancelled")
    assert len(v.PALETTE) == 7 and len(v.TRACKS) == 4 and len(v.HORIZONS) == 3
    assert v.codes(v.FOCUS_AREAS) == ("fritid", "skola", "platser", "drogfritt", "fortroende")
    assert v.codes(v.ROLES) == ("reporter", "operational", "strategic", "auditor", "admin")
    assert set(v.ROLE_SEES) == set(v.codes(v.ROLES))


def test_label_helper():
    assert v.label(v.CASE_STATUSES, "in_progress") == "Pågår"
    assert v.label(v.CASE_STATUSES, "in_progress", "en") == "In progress"
    assert v.label(t.CATEGORIES, "KLO-01", "en") == "Graffiti"
    with pytest.raises(KeyError):
        v.label(v.CASE_STATUSES, "nope")
    with pytest.raises(ValueError):
        v.label(v.CASE_STATUSES, "new", "de")


# --- attributes ---------------------------------------------------------------------------


def test_attributes_as_data():
    assert t.attribute("tid_pa_dygnet").kind == "choice"
    assert [c.code for c in t.attribute("tid_pa_dygnet").choices] == ["dag", "skymning", "kvall", "natt"]
    trygghet = t.attribute("upplevd_trygghet")
    assert (trygghet.kind, trygghet.minimum, trygghet.maximum) == ("int", 1, 5)
    assert t.attribute("akut").kind == "bool"
    assert [c.code for c in t.attribute("aterkommande").choices] == ["forsta_gangen", "sett_forut", "dagligen"]
    for a in t.ATTRIBUTES:
        assert (a.kind == "choice") == bool(a.choices), a.code
        assert set(a.groups) <= set(t.GROUP_BY_CODE), a.code


def test_head_count_only_for_social_disorder():
    assert t.attribute("antal_personer") in t.attributes_for("SOC")
    assert t.attribute("antal_personer") not in t.attributes_for("BEL")
    assert t.attribute("akut") in t.attributes_for("BEL")


# --- places and geometry --------------------------------------------------------------------


def test_haversine_is_plausible():
    assert t.haversine_m(59.0, 18.0, 59.0, 18.0) == 0.0
    assert t.haversine_m(59.0, 18.0, 60.0, 18.0) == pytest.approx(111_195, rel=1e-3)
    # A degree of longitude shrinks with cos(latitude).
    assert t.haversine_m(60.0, 17.0, 60.0, 18.0) == pytest.approx(55_600, rel=1e-2)


def test_places_lie_within_a_kilometre_of_the_metro_entrance():
    names = set(t.PLACE_BY_CODE)
    assert {"torget", "tunnelbaneuppgangen", "garaget", "systembolaget", "ica", "restaurangen", "biblioteket", "kulturskolan"} <= names
    for p in t.PLACES:
        assert t.haversine_m(METRO.lat, METRO.lon, p.lat, p.lon) < 1000, p.code
        assert 0 < p.radius_m <= 200, p.code


def test_nearest_place_finds_the_metro_entrance_on_its_own_coordinate():
    assert t.nearest_place(METRO.lat, METRO.lon) == METRO


def test_nearest_place_is_none_five_km_away():
    # ~5 km due north (0.045 degrees of latitude).
    assert t.nearest_place(METRO.lat + 0.045, METRO.lon) is None


def test_nearest_place_prefers_the_nearest_centre_among_overlapping_places():
    square = t.place("torget")
    assert t.nearest_place(square.lat, square.lon) == square
    r = t.place("restaurangen")
    assert t.nearest_place(r.lat, r.lon) == r


# --- who sees what --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "org", "visibility", "expected"),
    [
        ("reporter", "civilsamhallet", "public", True),
        ("reporter", "civilsamhallet", "internal", False),
        ("reporter", "civilsamhallet", "restricted", False),
        ("operational", "trafikkontoret", "internal", True),
        ("operational", "trafikkontoret", "restricted", False),
        ("strategic", "sdf", "internal", True),
        ("strategic", "sdf", "restricted", False),
        ("auditor", "staden", "internal", True),
        ("auditor", "staden", "restricted", False),
        ("admin", "sdf", "restricted", True),
        # Police and social services see restricted whatever their role...
        ("operational", "polisen", "restricted", True),
        ("reporter", "polisen", "restricted", True),
        ("strategic", "sdf-ifo", "restricted", True),
        # ...but the organisation does not widen anything else.
        ("reporter", "polisen", "internal", False),
    ],
)
def test_can_see(role, org, visibility, expected):
    assert v.can_see(role, org, visibility) is expected


def test_can_see_rejects_unknown_roles_and_visibilities():
    with pytest.raises(ValueError):
        v.can_see("boss", "sdf", "public")
    with pytest.raises(ValueError):
        v.can_see("admin", "sdf", "secret")
