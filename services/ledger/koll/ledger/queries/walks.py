"""Safety walks and their protocols, as the API and the boards read them."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from koll.ledger.domain.base import Actor
from koll.ledger.projections.situation import cases, observations
from koll.ledger.projections.walks import walks
from koll.ledger.queries.cases import aware
from koll.ledger.policy import Policy
from koll.ledger.queries.visibility import area_where, visible
from koll.ledger.vault import ERASED, Vault, open_sealed
from koll.schema import taxonomy

# Walkers' names are for those who organise and follow up the walks, not for every reader.
SEES_NAMES = frozenset({"operational", "strategic", "admin"})


def _walk_row(row: Any, actor: Actor, vault: Vault | None) -> dict[str, Any]:
    r = aware(dict(row._mapping))
    r["id"] = r.pop("walk_id")
    for k in ("route", "organisations", "participant_counts"):
        r[k] = json.loads(r[k])
    sealed_people, sealed_summary = r.pop("participants_sealed"), r.pop("summary_sealed")
    may_read = vault is not None and (actor.role in SEES_NAMES or actor.user == r["planned_by"])
    r["participants"] = (_people(vault, r["id"], sealed_people, sum(r["participant_counts"].values()))
                         if may_read else None)
    r["summary"] = vault.open(r["id"], sealed_summary) if may_read else None
    r.pop("planned_by_org")
    return r


def _people(vault: Vault, walk_id: str, sealed: str | None, walkers: int) -> list[dict[str, Any]]:
    """The walkers, or one '[raderad]' entry per walker once erased."""
    opened = vault.open(walk_id, sealed)
    if opened is None:
        return []
    if opened == ERASED:  # the key is destroyed: the names are gone
        return [{"name": ERASED, "kind": "", "org": None} for _ in range(max(walkers, 1))]
    return json.loads(opened)


def _counted_as_seen(conn: sa.Connection, actor: Actor, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Findings counted as the reader may see them: a restricted report is not one more finding."""
    policy = Policy(actor)
    if policy.sees_everything or not rows:
        return rows
    o = observations.c
    by_id = {r["id"]: r for r in rows}
    q = (sa.select(o.walk_id, o.category, sa.func.count())
         .where(o.walk_id.in_(sorted(by_id)), policy.hidden(observations, "reporter")).group_by(o.walk_id, o.category))
    for walk_id, category, n in conn.execute(q):
        by_id[walk_id]["findings"] -= n
        if taxonomy.category(category).positive:
            by_id[walk_id]["positive"] -= n
    return rows


def list_walks(conn: sa.Connection, actor: Actor, args: dict[str, Any]) -> list[dict[str, Any]]:
    q = (sa.select(walks).where(*area_where(walks, actor, args))
         .order_by(walks.c.planned_at.desc(), walks.c.walk_id).limit(args.get("limit", 200)))
    if args.get("status"):
        q = q.where(walks.c.status == args["status"])
    return _counted_as_seen(conn, actor, [_walk_row(r, actor, None) for r in conn.execute(q)])


def walk_id_by_code(conn: sa.Connection, code: str, actor: Actor | None) -> str | None:
    """The walk not yet ended that a join code names (an ended walk's code may come again), in
    the areas the actor holds (None: every area): another area's walk is not found, its id not even in
    a redirect."""
    return conn.execute(sa.select(walks.c.walk_id).where(walks.c.join_code == code, walks.c.status != "ended",
                                                         *area_where(walks, actor))
                        .order_by(walks.c.planned_at.desc()).limit(1)).scalar()


def get_walk(conn: sa.Connection, actor: Actor, walk_id: str, vault: Vault) -> dict[str, Any] | None:
    r = conn.execute(sa.select(walks).where(walks.c.walk_id == walk_id, *area_where(walks, actor))).first()
    return _counted_as_seen(conn, actor, [_walk_row(r, actor, vault)])[0] if r else None


def responsible_org(assigned_org: str | None, category: str) -> str:
    """Who answers for a finding: the organisation its case is assigned to, else the
    category's usual owner (rådighet)."""
    return assigned_org or taxonomy.category(category).owner


def protocol(conn: sa.Connection, actor: Actor, walk_id: str, vault: Vault) -> dict[str, Any] | None:
    """The walk's protocol: its findings grouped by the organisation responsible for each,
    positive notes apart, only what the reader may see."""
    walk = get_walk(conn, actor, walk_id, vault)
    if walk is None:
        return None
    o = observations
    q = (sa.select(o.c.observation_id, o.c.case_id, o.c.category, o.c.place, o.c.lat, o.c.lon, o.c.observed_at,
                   o.c.time_of_day, o.c.dark, o.c.note_sealed, o.c.photos, o.c.reporter_org,
                   cases.c.status, cases.c.assigned_org)
         .join(cases, cases.c.case_id == o.c.case_id)
         .where(o.c.walk_id == walk_id, visible(o, actor, "reporter"))
         .order_by(o.c.observed_at, o.c.observation_id))
    rows = [aware(dict(r._mapping)) for r in conn.execute(q)]
    keys = vault.keys([r["observation_id"] for r in rows if r["note_sealed"]])
    groups: dict[str, list[dict[str, Any]]] = {}
    positive: list[dict[str, Any]] = []
    for r in rows:
        category = taxonomy.category(r["category"])
        finding = {
            "id": r["observation_id"], "case_id": r["case_id"], "category": category.code,
            "category_sv": category.sv, "category_en": category.en, "place": r["place"],
            "place_sv": taxonomy.place(r["place"]).sv if r["place"] else None,
            "lat": r["lat"], "lon": r["lon"], "observed_at": r["observed_at"], "time_of_day": r["time_of_day"],
            "dark": r["dark"], "note": open_sealed(keys.get(r["observation_id"]), r["note_sealed"], r["observation_id"]),
            "photos": json.loads(r["photos"]), "case_status": r["status"],
            "responsible": responsible_org(r["assigned_org"], category.code),
            "positive": category.positive,
        }
        (positive if category.positive else groups.setdefault(finding["responsible"], [])).append(finding)
    organisations = [
        {"org": code, "name_sv": taxonomy.organisation(code).sv, "name_en": taxonomy.organisation(code).en,
         "findings": found}
        for code, found in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    ]
    policy = Policy(actor)
    hidden = 0 if policy.sees_everything else conn.execute(sa.select(sa.func.count()).select_from(o).where(
        o.c.walk_id == walk_id, policy.hidden(o, "reporter"))).scalar_one()
    return {"walk": walk, "organisations": organisations, "positive": positive,
            "counts": {"findings": len(rows) - len(positive), "positive": len(positive), "hidden": hidden}}


def protocol_rows(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """One flat row a finding, in the protocol's order, for CSV."""
    findings = [f for g in doc["organisations"] for f in g["findings"]] + doc["positive"]
    return [{
        "organisation": f["responsible"], "organisation_sv": taxonomy.organisation(f["responsible"]).sv,
        "positive": "ja" if f["positive"] else "nej", "category": f["category"], "category_sv": f["category_sv"],
        "place": f["place"] or "", "place_sv": f["place_sv"] or "", "observed_at": f["observed_at"].isoformat(),
        "time_of_day": f["time_of_day"], "dark": "ja" if f["dark"] else "nej", "lat": f["lat"], "lon": f["lon"],
        "note": f["note"] or "", "case_id": f["case_id"], "case_status": f["case_status"],
        "photos": len(f["photos"]), "observation_id": f["id"],
    } for f in findings]
