"""Reports as the app makes them, for tests that fill an outbox without tapping."""

from __future__ import annotations

from koll.field.report import Location, ReportForm


def report(category: str = "UPP-02", place: str = "torget", note: str = "", **attributes) -> dict:
    form = ReportForm()
    form.choose_category(category)
    form.location = Location.of_place(place)
    form.note = note
    for k, v in attributes.items():
        form.set_attribute(k, v)
    return form.body()


def reports(n: int, category: str = "UPP-02") -> list[dict]:
    return [report(category, note=f"iakttagelse {i}") for i in range(n)]
