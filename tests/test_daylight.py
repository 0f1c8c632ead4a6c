"""Darkness begins at sunset, and a week begins at midnight on the square's clock."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from astral.sun import sunrise, sunset

from helpers import observation
from koll.ledger.domain import daylight

SQUARE = daylight.BEFORE_AREAS.observer  # a ledger with no area: the sun it was recorded with


def test_dark_from_the_minute_after_sunset_until_sunrise_all_year():
    for day in (date(2026, 12, 1), date(2026, 3, 29), date(2026, 6, 21), date(2026, 10, 25)):
        down, up = sunset(SQUARE, day), sunrise(SQUARE, day)
        assert not daylight.is_dark(down - timedelta(seconds=90)), day
        assert daylight.is_dark(down + timedelta(seconds=90)), day  # not four minutes later
        assert daylight.is_dark(up - timedelta(seconds=90)), day
        assert not daylight.is_dark(up + timedelta(seconds=90)), day


def test_december_is_dark_before_three_in_the_afternoon():
    down = sunset(SQUARE, date(2026, 12, 15)).astimezone(daylight.STOCKHOLM)
    assert down.hour < 15
    at_three = datetime(2026, 12, 15, 15, 0, tzinfo=daylight.STOCKHOLM)
    assert daylight.light_at(at_three) == (True, "skymning")


def test_a_report_at_half_past_midnight_on_a_summer_monday_counts_in_that_mondays_week(service):
    reporter = service.client("reporter")
    # 00:30 on Monday 2026-08-03 in Stockholm (CEST) is 22:30 on Sunday in UTC
    monday_night = "2026-08-03T00:30:00+02:00"
    assert reporter.post("/api/v1/observations", observation(observed_at=monday_night)).status_code == 201
    trends = service.client("operational").get("/api/v1/situation/trends",
                                               params={"weeks": 2, "until": "2026-08-09T20:00:00+02:00"}).json()
    assert trends["weeks"] == ["2026-W31", "2026-W32"]
    assert trends["total"] == [0, 1], trends


def test_a_report_a_minute_after_sunset_is_recorded_as_dark(service):
    down = sunset(SQUARE, date(2026, 11, 20))
    after = (down + timedelta(seconds=90)).astimezone(timezone.utc).isoformat()
    case_id = service.client("reporter").post("/api/v1/observations", observation(observed_at=after)).json()["case_id"]
    assert service.client("operational").get(f"/api/v1/cases/{case_id}").json()["dark"] is True


def test_the_situation_picture_says_when_it_gets_dark_today(service):
    import re

    import requests

    web = requests.Session()
    form = web.get(service.base + "/login", timeout=30).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    assert web.post(service.base + "/login", data={"user": "operativ", "password": "hemligt", "csrf_token": token},
                    timeout=30).status_code == 200
    page = web.get(service.base + "/", timeout=30).text
    today = datetime.now(daylight.STOCKHOLM).date()
    down = sunset(SQUARE, today).astimezone(daylight.STOCKHOLM).strftime("%H:%M")
    assert f"Efter solnedgången kl. {down} räknas iakttagelser som gjorda i mörker" in page
