"""KML (Google Earth, QGIS, KoboToolbox's exports speak it): cases and a walk as placemarks.

Written as text, a placemark at a time, so a city's cases never sit in memory; every text
is XML-escaped, and only what the reader may see is ever handed in.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from koll.ledger.domain.daylight import STOCKHOLM
from koll.schema import taxonomy

HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
TAIL = "</Document></kml>\n"
MIMETYPE = "application/vnd.google-earth.kml+xml"


def _text(value: Any) -> str:
    return escape("" if value is None else str(value))


def _local(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M")
    return _text(value)


def placemark(name: str, lon: float, lat: float, data: dict[str, Any], when: datetime | None = None) -> str:
    fields = "".join(f'<Data name="{_text(k)}"><value>{_text(v)}</value></Data>' for k, v in data.items())
    stamp = f"<TimeStamp><when>{when.isoformat()}</when></TimeStamp>" if when else ""
    return (f"<Placemark><name>{_text(name)}</name>{stamp}<ExtendedData>{fields}</ExtendedData>"
            f"<Point><coordinates>{lon},{lat}</coordinates></Point></Placemark>")


def cases_kml(records: Iterable[dict[str, Any]]) -> Iterator[str]:
    yield HEAD + "<name>Ärenden</name>"
    for r in records:
        yield placemark(r["category_sv"], r["lon"], r["lat"], {
            "id": r["id"], "kategori": r["category"], "status": r["status"], "plats": r["place"],
            "ansvarig": taxonomy.organisation(r["responsible_org"]).sv if r.get("responsible_org") else "",
            "öppnat": _local(r["opened_at"]), "iakttagelser": r["observations"], "mörkt": "ja" if r["dark"] else "nej",
        }, r["opened_at"])
    yield TAIL


def walk_kml(doc: dict[str, Any]) -> str:
    """A walk's route (a line through its places) and its findings, in the protocol's order."""
    walk = doc["walk"]
    parts = [HEAD, f"<name>{_text(walk['title'])}</name>"]
    route = [taxonomy.place(code) for code in walk.get("route") or [] if code in taxonomy.PLACE_BY_CODE]
    if len(route) > 1:
        line = " ".join(f"{p.lon},{p.lat}" for p in route)
        parts.append(f"<Placemark><name>Rutt</name><LineString><coordinates>{line}</coordinates>"
                     "</LineString></Placemark>")
    findings = [f for g in doc["organisations"] for f in g["findings"]] + doc["positive"]
    for f in findings:
        parts.append(placemark(f["category_sv"], f["lon"], f["lat"], {
            "id": f["id"], "ärende": f["case_id"], "plats": f["place_sv"] or "",
            "ansvarig": taxonomy.organisation(f["responsible"]).sv, "tid": _local(f["observed_at"]),
            "anteckning": f["note"] or "", "positiv": "ja" if f["positive"] else "nej",
        }, f["observed_at"]))
    parts.append(TAIL)
    return "".join(parts)
