"""Lägesbild (``/``): the map of open cases, counts, heat, trends; and "download this view"."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timezone
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from flask import Response, current_app, g, request, stream_with_context

from koll.ledger.api.auth import READ
from koll.ledger.domain import daylight
from koll.ledger.domain.base import Actor
from koll.ledger.projections.situation import cases, observations
from koll.ledger.queries.cases import case_filters, hidden_reports
from koll.ledger.exports import geojson_text
from koll.ledger.queries import situation as q
from koll.ledger.queries.visibility import visible
from koll.ledger.web import i18n
from koll.ledger.web.common import bp, koll, page, reading, render
from koll.ledger.web.process_views import process_context
from koll.schema import taxonomy, vocabulary
from koll.schema.payloads import within_years

# One colour a category group, the same on the map, in the legend and in the charts
# (Okabe–Ito first: told apart by people with colour-vision deficiencies).
GROUP_COLOURS = {
    "BEL": "#E69F00", "VEG": "#009E73", "REN": "#56B4E9", "KLO": "#CC79A7", "FYS": "#0072B2",
    "SOC": "#D55E00", "TRF": "#6A5ACD", "UPP": "#8C6D1F", "OVR": "#555555",
}


def _day(raw: str | None) -> date | None:
    try:
        day = date.fromisoformat(raw) if raw else None
    except ValueError:
        return None
    return day if day and within_years(day) else None  # the API's years: 9999 would overflow in UTC


def visible_areas() -> list[Any]:
    """The areas the signed-in user may see (every one for a user granted none in particular)."""
    from koll.ledger.queries.areas import may_see
    from koll.ledger.web.common import web_actor

    if "koll_areas" in g:  # asked by the menu, the filters, the map and the page: once a request
        return g.koll_areas
    who = web_actor()
    g.koll_areas = [v for v in koll().ledger.area_views() if who is None or may_see(who, v.code)]
    return g.koll_areas


def area_choices() -> list[dict[str, str]]:
    """The areas a form offers, each with its name in the page's language."""
    return [{"code": v.code, "label": v.definition["name"].get(i18n.lang()) or v.name_sv} for v in visible_areas()]


def view_filters() -> dict[str, Any]:
    """The page's filters as given (bad values dropped, never an error); the area is the one
    asked for, or the user's only one."""
    a = request.args
    areas = [v.code for v in visible_areas()]
    area = a.get("area") if a.get("area") in areas else (areas[0] if len(areas) == 1 else "")
    status = a.get("status", "open")
    if status not in ("open", "all") and status not in vocabulary.codes(vocabulary.CASE_STATUSES):
        status = "open"
    group = a.get("group") if a.get("group") in taxonomy.GROUP_BY_CODE else ""
    place = a.get("place") if a.get("place") in taxonomy.PLACE_BY_CODE else ""
    start, end = _day(a.get("from")), _day(a.get("to"))
    return {"area": area, "status": status, "group": group, "place": place,
            "from": start.isoformat() if start else "", "to": end.isoformat() if end else ""}


def query_args(f: dict[str, Any]) -> dict[str, Any]:
    """The filters in the words of ``queries.cases.case_filters`` (shared with the API)."""
    args: dict[str, Any] = {"group": f["group"] or None, "place": f["place"] or None, "area": f.get("area") or None}
    if f["status"] == "open":
        args["open"] = True
    elif f["status"] != "all":
        args["status"] = f["status"]
    if f["from"]:
        args["since"] = datetime.combine(date.fromisoformat(f["from"]), time.min, timezone.utc)
    if f["to"]:
        args["until"] = datetime.combine(date.fromisoformat(f["to"]), time.max, timezone.utc)
    return args


def latest_observation(conn: sa.Connection, actor: Actor) -> datetime | None:
    """When the newest observation this actor may see was made: where the trend charts end
    when no period is chosen (a quiet ledger, or the 2018 demo, still shows its last weeks)."""
    row = conn.execute(sa.select(observations.c.observed_at)
                       .where(visible(observations, actor, "reporter"))
                       .order_by(observations.c.observed_at.desc()).limit(1)).first()
    return row[0].replace(tzinfo=timezone.utc) if row else None


def trend_end(conn: sa.Connection, actor: Actor, f: dict[str, Any]) -> datetime:
    if f["to"]:
        return datetime.combine(date.fromisoformat(f["to"]), time.max, timezone.utc)
    now = datetime.now(timezone.utc)
    last = latest_observation(conn, actor)
    return min(last, now) if last else now


def _series(trend: dict[str, Any]) -> dict[str, Any]:
    return {
        "labels": [w.split("-", 1)[1] for w in trend["weeks"]],
        "datasets": [{"label": i18n.label("group", g), "data": v, "colour": GROUP_COLOURS.get(g, "#555")}
                     for g, v in trend["series"].items()],
    }


def _bars(tally: dict[str, int], kind: str | None) -> dict[str, Any]:
    labels = []
    for code in tally:
        if kind == "darkness":
            labels.append(i18n.t(code))
        else:
            labels.append(i18n.label(kind, code) if kind else code)
    return {"labels": labels, "data": list(tally.values()), "codes": list(tally)}


def map_config(area: str = "") -> dict[str, Any]:
    """What every map of the square needs: the tile URL (none: a plain background), the named
    places to draw and label (the area's, or those of every area the user sees; the national
    list in a ledger with no area yet), and the category groups' colours."""
    from koll.ledger.domain.area import centre

    shown = [v for v in visible_areas() if not area or v.code == area]
    places = []
    for v in shown:
        for p in v.definition["places"]:
            lat, lon = centre(p["geometry"])
            places.append({"code": p["code"], "label": p.get(i18n.lang()) or p["sv"], "lat": lat, "lon": lon,
                           "r": p.get("radius_m") or 30.0})
    if not shown:
        places = [{"code": p.code, "label": getattr(p, i18n.lang()), "lat": p.lat, "lon": p.lon, "r": p.radius_m}
                  for p in taxonomy.PLACES]
    groups = [{"code": g.code, "label": getattr(g, i18n.lang()), "colour": GROUP_COLOURS.get(g.code, "#555")}
              for g in taxonomy.GROUPS]
    labels = {"category": {c.code: getattr(c, i18n.lang()) for c in taxonomy.CATEGORIES},
              "place": {p["code"]: p["label"] for p in places},
              "group": {g["code"]: g["label"] for g in groups},
              "status": {s.code: getattr(s, i18n.lang()) for s in vocabulary.CASE_STATUSES},
              "open_case": i18n.t("open_case")}
    return {"tileUrl": koll().settings.tile_url or current_app.config.get("KOLL_TILE_URL"),
            "places": places, "groups": groups, "labels": labels}


@bp.route("/")
@page(*READ)
def situation(actor: Actor) -> Any:
    f = view_filters()
    args = query_args(f)
    with reading() as conn:
        counts = q.counts(conn, actor, args)
        end = trend_end(conn, actor, f)
        trend4 = q.trends(conn, actor, 4, end, f["group"] or None, f["place"] or None, f["area"] or None)
        trend12 = q.trends(conn, actor, 12, end, f["group"] or None, f["place"] or None, f["area"] or None)
    charts = {
        "by_group": _bars(counts["by_group"], "group"),
        "by_category": _bars(counts["by_category"], "category"),
        "by_place": _bars(counts["by_place"], "place"),
        "by_time_of_day": _bars(counts["by_time_of_day"], "time_of_day"),
        "by_darkness": _bars(counts["by_darkness"], "darkness"),
        "by_status": _bars(counts["by_status"], "case_status"),
        "by_age": _bars(counts["by_age"], "case_age"),
        "trend_4": _series(trend4),
        "trend_12": _series(trend12),
    }
    charts["by_group"]["colours"] = [GROUP_COLOURS.get(c, "#555") for c in counts["by_group"]]
    config = map_config(f["area"])
    download_args = {k: v for k, v in f.items() if v}
    areas = visible_areas()
    names = {v.code: v.definition["name"].get(i18n.lang()) or v.name_sv for v in areas}
    shown = [v for v in areas if v.code == f["area"]] if f["area"] else areas
    return render(
        "situation.html", f=f, counts=counts, daylight_line=daylight_line(shown), charts=charts, places=config["places"], groups=config["groups"],
        download_args=download_args, trend_end=end, map_config=config,
        statuses=vocabulary.CASE_STATUSES, areas=[{"code": c, "label": n} for c, n in names.items()],
        area_name=names.get(f["area"]) or (i18n.t("all_areas") if len(areas) > 1 else ""),
        **process_context(f["area"]),
    )


def daylight_line(areas: list[Any]) -> str:
    """When it is light today at the areas shown, each at its own place and on its own clock:
    "Ljust i dag 08:41–14:52. Efter solnedgången kl. 14:52 …"; one clause an area when several are shown."""
    skies = [(v.definition["name"].get(i18n.lang()) or v.name_sv, v.sky) for v in areas] or [
        ("", daylight.BEFORE_AREAS)]
    clauses = []
    for name, sky in skies:
        day = datetime.now(sky.zone).date()
        times = daylight.sun_times(day, sky)
        if times is None:
            clauses.append((name, None, "daylight_midnight_sun" if daylight.light_all_day(day, sky)
                            else "daylight_polar_night"))
        else:
            clauses.append((name, times, None))
    if len(clauses) == 1:
        _, times, polar = clauses[0]
        if polar:
            return i18n.t(polar)
        return i18n.t("daylight_today", sunrise=f"{times[0]:%H:%M}", sunset=f"{times[1]:%H:%M}")
    parts = [i18n.t("daylight_area", area=name, sunrise=f"{times[0]:%H:%M}", sunset=f"{times[1]:%H:%M}")
             if times else f"{name}: {i18n.t(polar)}" for name, times, polar in clauses]
    return " · ".join(parts) + ". " + i18n.t("daylight_after_sunset")


MAP_POINTS = 10_000  # what a browser still draws smoothly; the downloads hold every case


def map_points(conn: sa.Connection, actor: Actor, args: dict[str, Any], limit: int = MAP_POINTS) -> dict[str, Any]:
    """The map's points, newest first, as compact rows (the same filters as the counts and the
    downloads, via ``case_filters``): a city's worth of open cases stays a small response."""
    where = case_filters(actor, args)
    c = cases.c
    total = conn.execute(sa.select(sa.func.count()).select_from(cases).where(*where)).scalar_one()
    q_ = (sa.select(c.lat, c.lon, c.group_code, c.category, c.place, c.status, c.observations, c.case_id)
          .where(*where).order_by(c.opened_at.desc()).limit(limit))
    points = [list(r) for r in conn.execute(q_)]
    hidden = hidden_reports(conn, actor, [p[-1] for p in points])
    for p in points:
        p[-2] -= hidden.get(p[-1], 0)
    return {"total": total, "columns": ["lat", "lon", "group", "category", "place", "status", "observations", "id"],
            "points": points}


@bp.route("/lagesbild/punkter.json")
@page(*READ)
def situation_points(actor: Actor) -> Any:
    with reading() as conn:
        return map_points(conn, actor, query_args(view_filters()))


def _labelled(features: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for feat in features:
        p = feat["properties"]
        p["category_label"] = i18n.label("category", p["category"])
        p["group_label"] = i18n.label("group", p["group"])
        p["place_label"] = i18n.label("place", p["place"]) if p["place"] else ""
        p["status_label"] = i18n.label("case_status", p["status"])
        yield feat


def _filename(ext: str) -> str:
    f = view_filters()
    parts = ["lagesbild", f["area"], f["status"], f["group"], f["place"], f["from"], f["to"]]
    return "-".join(p for p in parts if p) + "." + ext


@bp.route("/lagesbild.geojson")
@page(*READ)
def situation_geojson(actor: Actor) -> Any:
    args = query_args(view_filters())

    def body():  # type: ignore[no-untyped-def]
        with reading() as conn:
            yield from geojson_text(_labelled(q.features(conn, actor, args)))

    disposition = "attachment" if request.args.get("download") else "inline"
    return Response(stream_with_context(body()), mimetype="application/geo+json",
                    headers={"Content-Disposition": f'{disposition}; filename="{_filename("geojson")}"'})


CSV_COLUMNS = ["id", "category", "category_label", "group", "group_label", "place", "place_label", "status",
               "status_label", "observations", "time_of_day", "dark", "opened_at", "lat", "lon"]


@bp.route("/lagesbild.csv")
@page(*READ)
def situation_csv(actor: Actor) -> Any:
    out = io.StringIO()
    out.write("\ufeff")  # Excel opens UTF-8 with å, ä, ö correctly only with a BOM
    w = csv.writer(out)
    w.writerow(CSV_COLUMNS)
    with reading() as conn:
        for feat in _labelled(q.features(conn, actor, query_args(view_filters()))):
            p = dict(feat["properties"])
            p["lon"], p["lat"] = feat["geometry"]["coordinates"]
            w.writerow(["" if p.get(c) is None else p.get(c) for c in CSV_COLUMNS])
    return Response(out.getvalue(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{_filename("csv")}"'})


