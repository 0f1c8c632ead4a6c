"""Erasure without breaking the chain, and exports an auditor can check offline."""

from __future__ import annotations

import base64
import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from helpers import observation
from test_photos import jpeg_with_gps
from koll.ledger import audit
from koll.ledger.domain.base import Actor
from koll.ledger.store import events_table
from koll.ledger.vault import keys_table

ROOT = Path(__file__).resolve().parents[1]
VERIFIER = ROOT / "infra" / "verify-bundle.py"
SECRET = "Kalle Svensson langar vid trappan"
ANNA = Actor("anna", "reporter", "sdf")


def all_text(ledger) -> str:
    """Every row of every table but the vault and the credentials, as text."""
    out = []
    with ledger.store.read() as conn:
        names = sa.inspect(conn).get_table_names()
        for name in names:
            if name in ("koll_keys", "koll_tokens", "koll_credentials"):
                continue
            for row in conn.execute(sa.text(f"SELECT * FROM {name}")):
                out.append(" ".join(bytes(v).decode("utf-8", "replace") if isinstance(v, (bytes, memoryview))
                                    else str(v) for v in row))
    return "\n".join(out)


def test_erasure_destroys_the_key_keeps_the_chain_and_the_boards(service, settings):
    reporter, admin = service.client("reporter"), service.client("admin")
    body = observation(note=SECRET)
    r = reporter.post("/api/v1/observations", json=body)
    assert r.status_code == 201
    oid = body["id"]
    picture = jpeg_with_gps()
    r = reporter.post(f"/api/v1/observations/{oid}/photos", files={"file": ("p.jpg", picture, "image/jpeg")})
    assert r.status_code == 201, r.text
    photo_sha = r.json()["sha256"]
    assert any(photo_sha in p.name for p in settings.blob_dir.rglob("*"))
    assert reporter.get(f"/api/v1/observations/{oid}").json()["note"] == SECRET
    assert SECRET not in all_text(service.ledger)  # sealed everywhere from the start
    situation = admin.get("/api/v1/situation").json()

    assert service.client("operational").post(f"/api/v1/observations/{oid}/erase",
                                              json={"reason": "begäran"}).status_code == 403
    assert service.client("auditor").post(f"/api/v1/observations/{oid}/erase",
                                          json={"reason": "begäran"}).status_code == 403
    assert admin.post(f"/api/v1/observations/{oid}/erase", json={}).status_code == 422
    r = admin.post(f"/api/v1/observations/{oid}/erase", json={"reason": "Begäran enligt GDPR art. 17"})
    assert r.status_code == 200, r.text
    assert r.json()["key_destroyed"] is True and r.json()["photo_files_deleted"] >= 1

    assert reporter.get(f"/api/v1/observations/{oid}").json()["note"] == "[raderad]"
    assert admin.get(f"/api/v1/observations/{oid}").json()["note"] == "[raderad]"
    assert not any(photo_sha in p.name for p in settings.blob_dir.rglob("*"))
    # The phone that never heard its upload's answer sends the photo again: refused, nothing stored.
    again = reporter.post(f"/api/v1/observations/{oid}/photos", files={"file": ("p.jpg", picture, "image/jpeg")})
    assert again.status_code == 409 and "erased" in again.json()["detail"]
    assert not any(photo_sha in p.name for p in settings.blob_dir.rglob("*"))
    assert reporter.get(f"/api/v1/photos/{photo_sha}").status_code == 404
    with service.ledger.store.read() as conn:
        assert conn.execute(sa.select(keys_table).where(keys_table.c.subject_id == oid)).first() is None
    assert admin.get("/api/v1/situation").json() == situation
    assert audit.verify_chain(service.ledger.store).ok
    history = service.client("auditor").get("/api/v1/audit/events", params={"aggregate": oid}).json()["events"]
    assert history[-1]["event"] == "Observation.Erased" and history[-1]["who"]["user"] == "admin"
    assert history[-1]["data"]["reason"] == "Begäran enligt GDPR art. 17"
    # Again: answered alike, nothing recorded twice.
    r = admin.post(f"/api/v1/observations/{oid}/erase", json={"reason": "igen"})
    assert r.status_code == 200 and r.json()["already_erased"] is True
    with service.ledger.store.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).where(
            events_table.c.originator_id == oid, events_table.c.topic.like("%Erased%"))).scalar() == 1
    # After a rebuild the read models still hold nothing readable.
    service.ledger.rebuild()
    assert reporter.get(f"/api/v1/observations/{oid}").json()["note"] == "[raderad]"
    assert admin.post(f"/api/v1/observations/{__import__('uuid').uuid4()}/erase",
                      json={"reason": "finns inte"}).status_code == 404


def test_the_timeline_as_csv(service):
    reporter = service.client("reporter")
    for _ in range(3):
        reporter.post("/api/v1/observations", json=observation())
    r = service.client("auditor").get("/api/v1/audit/events.csv")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["position", "at", "event"]
    body = rows[1:]
    assert [int(x[0]) for x in body] == sorted(int(x[0]) for x in body)
    assert sum(1 for x in body if x[2] == "Observation.Recorded") == 3
    assert "status: None → new" in {x[-1] for x in body}
    r = service.client("auditor").get("/api/v1/audit/events.csv", params={"kind": "Case"})
    assert {x[2] for x in list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))[1:]} == {"Case.Opened"}


def run_verifier(*args: str) -> subprocess.CompletedProcess:
    # No koll on the path: the verifier stands alone.
    return subprocess.run([sys.executable, "-I", str(VERIFIER), *args], capture_output=True, text=True,
                          timeout=60, cwd="/")


def test_a_signed_bundle_checks_offline_and_any_change_is_refused(service, tmp_path):
    reporter, auditor = service.client("reporter"), service.client("auditor")
    for _ in range(4):
        reporter.post("/api/v1/observations", json=observation())
    assert service.client("operational").post("/api/v1/audit/digests", json={"reason": "möte"}).status_code == 201
    reporter.post("/api/v1/observations", json=observation())
    key = auditor.get("/api/v1/audit/public-key").json()
    r = auditor.get("/api/v1/audit/bundle")
    assert r.status_code == 200, r.text
    signed = r.json()
    assert signed["public_key"] == key["public_key"]
    body = signed["bundle"]
    assert body["first_position"] == 1 and body["last_position"] == body["ledger_head"]["position"]
    assert len(body["events"]) == body["last_position"] and body["published_digests"]
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(signed))
    ok = run_verifier(str(path), "--public-key", key["public_key"])
    assert ok.returncode == 0 and "VALID" in ok.stdout, ok.stderr
    digest = body["published_digests"][0]
    assert run_verifier(str(path), "--digest", f"{digest['position']}:{digest['chain_hash']}").returncode == 0
    assert run_verifier(str(path), "--digest", f"{digest['position']}:{'0' * 64}").returncode == 1

    def refused(change) -> str:
        copy = json.loads(json.dumps(signed))
        change(copy)
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps(copy))
        out = run_verifier(str(bad))
        assert out.returncode == 1, out.stdout
        return out.stderr

    assert "signature" in refused(lambda b: b["bundle"]["events"][2].update(version=9))
    assert "signature" in refused(lambda b: b["bundle"]["events"].pop(1))
    other = base64.b64encode(b"\x01" * 32).decode()
    assert "signature" in refused(lambda b: b.update(public_key=other))

    def resigned(b) -> None:  # a forger with their own key: caught by the pinned key
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        forger = Ed25519PrivateKey.generate()
        b["bundle"]["events"][0]["version"] = 7
        b["signature"] = base64.b64encode(forger.sign(audit.canonical(b["bundle"]))).decode()
        b["public_key"] = audit.public_key_info(forger)["public_key"]

    copy = json.loads(json.dumps(signed))
    resigned(copy)
    (tmp_path / "forged.json").write_text(json.dumps(copy))
    assert run_verifier(str(tmp_path / "forged.json"), "--public-key", key["public_key"]).returncode == 1
    out = run_verifier(str(tmp_path / "forged.json"))  # self-consistent signature, but the chain breaks
    assert out.returncode == 1 and "event 1" in out.stderr

    # A period: only its events, chained from the hash before the first.
    later = body["events"][3]["at"]
    part = auditor.get("/api/v1/audit/bundle", params={"from": later}).json()
    assert part["bundle"]["first_position"] == 4 and part["bundle"]["previous_chain_hash"] == body["events"][2]["chain_hash"]
    (tmp_path / "part.json").write_text(json.dumps(part))
    assert run_verifier(str(tmp_path / "part.json"), "--public-key", key["pem"]).returncode == 0


def test_a_merkle_proof_over_http(service):
    reporter = service.client("reporter")
    for _ in range(3):
        reporter.post("/api/v1/observations", json=observation())
    digest = service.client("admin").post("/api/v1/audit/digests", json={}).json()
    auditor = service.client("auditor")
    proof = auditor.get("/api/v1/audit/proof/3", params={"digest": digest["id"]}).json()
    assert audit.check_proof(proof) and proof["tree_size"] == digest["position"]
    assert auditor.get("/api/v1/audit/proof/99").status_code == 404
    listed = auditor.get("/api/v1/audit/digests").json()["digests"]
    # the publisher may have made the ledger's first digest on its own meanwhile
    assert digest["chain_hash"] in [d["chain_hash"] for d in listed]
    assert all(d["position"] <= digest["position"] for d in listed)
