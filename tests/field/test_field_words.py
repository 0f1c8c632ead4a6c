"""The small words that decide use at night: singular and plural as the count says, and the
outbox's times in the area's local time whatever the phone's clock is set to."""

from __future__ import annotations

import time

import pytest

from koll.field.i18n import STRINGS, local_time, plural, t


@pytest.mark.parametrize(("n", "sv", "en"), [
    (1, "1 rapport har inte nått servern än.", "1 report has not reached the server yet."),
    (2, "2 rapporter har inte nått servern än.", "2 reports have not reached the server yet."),
])
def test_the_sign_out_warning_agrees_with_its_count(n, sv, en):
    for lang, want in (("sv", sv), ("en", en)):
        text = t("sign_out_warning", lang, n=n, reports=plural(n, "report", lang), have=plural(n, "have", lang))
        assert text.startswith(want), text
    one = t("signed_out_unsent", "en", n=1, reports=plural(1, "report", "en"), are=plural(1, "are", "en"))
    assert one.startswith("Signed out. 1 report is sent"), one


def test_every_counted_word_has_a_singular_and_a_plural():
    assert plural(1, "place", "sv") == "plats" and plural(6, "place", "sv") == "platser"
    assert plural(0, "report", "sv") == "rapporter" and plural(1, "report", "en") == "report"
    assert "{n} {places}" in STRINGS["area_places"][0]


def test_outbox_times_are_the_areas_local_time_not_the_phones(monkeypatch):
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        assert local_time("2026-12-02T05:40:00+00:00", "Europe/Stockholm") == "06:40"  # winter: UTC+1
        assert local_time("2026-07-02T05:40:00+00:00", "Europe/Stockholm") == "07:40"  # summer: UTC+2
        assert local_time("2026-12-02T05:40:00+00:00", "No/Such_Zone") == "00:40"  # the phone's clock then
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
