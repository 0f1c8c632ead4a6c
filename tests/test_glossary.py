"""One glossary in koll.schema, said the same on the boards and on the phone, in the users' words."""

from __future__ import annotations

from koll.field import i18n as phone
from koll.schema import glossary, payloads_walks, taxonomy, vocabulary


def test_the_report_wording_is_in_the_glossary():
    sv = {k: v[0] for k, v in glossary.TERMS.items()}
    assert sv["palette_groups_used"] == "av palettens sju insatsgrupper"
    assert sv["palette_group"] == "Insatsgrupp" and sv["horizon"] == "Tidshorisont"
    assert sv["across_boundaries"] == "Gränsöverskridande" and sv["many_kinds"] == "Många olika slag"
    assert (sv["cancel_measure"], sv["cancelled_measure"]) == ("Avbryt", "Avbruten")
    assert sv["target_value"] == "Målvärde" and sv["into_operations"] == "För in i ordinarie drift"
    assert sv["public"] == "Offentlig" and sv["mark_on_map"] == "Markera på kartan"
    assert sv["same_case"] == "Samma ärende" and sv["joins_case"].startswith("Läggs till i ärende")
    assert sv["observations"] == "Iakttagelser" and sv["walker_association"] == "Föreningsaktiv"


def test_the_vocabularies_and_the_taxonomy_use_it():
    assert vocabulary.label(vocabulary.MEASURE_STATUSES, "cancelled") == "Avbruten"
    assert vocabulary.label(vocabulary.VISIBILITIES, "public") == "Offentlig"
    assert vocabulary.label(payloads_walks.PARTICIPANT_KINDS, "forening") == "Föreningsaktiv"
    assert taxonomy.CATEGORY_BY_CODE["SOC-11"].sv == "Rån av och mot unga"
    assert taxonomy.CATEGORY_BY_CODE["SOC-17"].sv == "Garaget används som bostad eller toalett"
    words = " ".join(t.sv for t in (*vocabulary.MEASURE_STATUSES, *vocabulary.VISIBILITIES))
    assert "Inställd" not in words and "Publik" not in words


def test_the_phone_says_what_the_boards_say():
    assert phone.t("drop_pin") == "Markera på kartan"
    assert phone.t("same_as_this") == "Samma ärende"
    assert phone.t("joined_case", case="A1") == "Läggs till i ärende A1"
    assert phone.t("kind_forening") == "Föreningsaktiv"
    assert "nål" not in " ".join(sv for sv, _ in phone.STRINGS.values())
    assert "fynd" not in " ".join(sv for sv, _ in phone.STRINGS.values()).lower()
    assert (phone.plural(1, "finding"), phone.plural(3, "finding")) == ("iakttagelse", "iakttagelser")


def test_singular_and_plural():
    assert glossary.count(1, "measure") == "1 insats" and glossary.count(2, "measure") == "2 insatser"
    assert glossary.count(1, "active_measure") == "1 aktiv insats"
    assert glossary.count(23, "late_measure") == "23 försenade" and glossary.count(1, "late_measure") == "1 försenad"
    assert glossary.count(1000, "case") == "1\u00a0000 ärenden"
    assert glossary.count(1, "case", "en") == "1 case"


def test_one_word_per_concept_on_the_boards_and_the_phone():
    """A baseline is "utgångsläge", a partner "samverkanspartner", not public "inte offentlig",
    an offline phone says "inget nät" – whichever page or screen says it."""
    from koll.ledger.web import i18n as boards

    board_sv = " ".join(sv for sv, _ in boards.WORDS.values()) + " ".join(v[0] for v in boards.FIELDS.values())
    phone_sv = " ".join(sv for sv, _ in phone.STRINGS.values())
    for word in ("Baslinje", "baslinje", "Samarbetspartner", "publikt", "offline", "notering"):
        assert word not in board_sv and word not in phone_sv, word
    assert boards.FIELDS["partners"][0] == boards.WORDS["partners"][0] == "Samverkanspartner"
    assert boards.WORDS["baseline_from"][0] == boards.FIELDS["baseline_from"][0] == "Utgångslägets första dag"
    assert phone.t("positive") == "Positiv iakttagelse"


def test_counted_nouns_and_dates_in_running_text():
    from datetime import date, datetime

    assert glossary.count(1, "delayed_measure") == "1 försenad insats"
    assert glossary.count(4, "delayed_measure") == "4 försenade insatser"
    assert glossary.count(1, "escalation") == "1 eskalering" and glossary.count(0, "escalation") == "0 eskaleringar"
    assert glossary.count(2, "walker_forening") == "2 föreningsaktiva" and glossary.count(3, "walker_boende") == "3 boende"
    assert glossary.long_date(date(2026, 12, 2)) == "2 december 2026"
    assert glossary.long_date(datetime(2026, 5, 31, 23, 0)) == "31 maj 2026"
    assert glossary.long_date(date(2026, 12, 2), "en") == "2 December 2026"
