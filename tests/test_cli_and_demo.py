"""The `koll` command as a newcomer types it, and the demo's story as the report tells it."""

from __future__ import annotations

import statistics
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from koll.ledger.projections.measures import measures
from koll.ledger.projections.meetings import meetings
from koll.ledger.projections.walks import walks

KOLL = str(Path(sys.executable).parent / "koll")


def koll(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([KOLL, *args], env=env, capture_output=True, text=True, timeout=600)


def test_demo_rebuild_verify_and_a_user_on_the_command_line(database_url, tmp_path):
    import os

    env = {**os.environ, "KOLL_DATABASE_URL": database_url, "KOLL_VAR_DIR": str(tmp_path / "var"),
           "KOLL_BLOB_DIR": str(tmp_path / "blobs")}
    demo = koll(env, "demo")
    assert demo.returncode == 0, demo.stderr
    logins = [line.split("\t") for line in demo.stdout.splitlines()]
    assert ["operativ", "koll-demo", "operational", "sdf"] in logins
    assert any(role == "auditor" for _, _, role, _ in logins)
    again = koll(env, "demo")
    assert again.returncode == 1 and "not empty" in again.stderr
    rebuilt = koll(env, "rebuild")
    assert rebuilt.returncode == 0 and "rebuilt the read models from" in rebuilt.stdout
    ahead = koll(env, "checkpoints")  # the demo's thousand events: shorter than one stretch
    assert ahead.returncode == 0 and "as-of checkpoints: 0 in" in ahead.stdout and "none was due" in ahead.stdout
    verified = koll(env, "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    added = koll(env, "user", "add", "kim", "--role", "reporter", "--org", "sdf")
    assert added.returncode == 0 and len(added.stdout.strip()) >= 32 and "shown once" in added.stderr
    assert koll(env, "user", "add", "kim", "--role", "reporter", "--org", "sdf").returncode == 1
    bad = koll(env, "user", "add", "eva", "--role", "chef", "--org", "sdf")
    assert bad.returncode == 2 and "unknown role 'chef'" in bad.stderr
    missing = koll(env, "import", "measures", str(tmp_path / "finns-inte.xlsx"))
    assert missing.returncode == 2 and "finns-inte.xlsx" in missing.stderr and "Traceback" not in missing.stderr


def test_the_demo_tells_the_hasselby_story(ledger):
    from koll.ledger import demo

    demo.load(ledger, weeks=4)  # the measures and meetings whole, a month of reports
    with ledger.store.read() as conn:
        plan = [dict(r._mapping) for r in conn.execute(sa.select(measures))]
        held = sorted(r.date for r in conn.execute(sa.select(meetings.c.date).where(meetings.c.group_code == "operational")))
        lights = Counter(r.light for r in conn.execute(sa.select(walks.c.light)))
    # About fifty measures over the whole palette of seven, from the May 2018 conference on (Husby's first few aside).
    plan = [m for m in plan if m["area"] == "hasselby-torg"]
    assert 40 <= len(plan) <= 60
    assert len({m["palette"] for m in plan}) == 7
    assert Counter(m["status"] for m in plan)["idea"] > 0  # the gross list is still there
    outcomes = Counter(m["outcome"] for m in plan if m["outcome"])
    assert outcomes["full"] and (outcomes["partly"] or outcomes["not_reached"])  # some goals met, some not
    # The operational group meets every three weeks.
    days = [date.fromisoformat(str(d)[:10]) for d in held]
    assert len(days) >= 4 and statistics.median((b - a).days for a, b in zip(days, days[1:])) == 21
    # Safety walks by day and by night.
    assert lights["dagsljus"] and lights["morker"]
