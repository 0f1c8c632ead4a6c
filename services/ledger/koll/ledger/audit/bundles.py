"""What an outside party checks on its own: the proof that one event is inside a published digest,
and signed bundles (the events of a period with their chain, signed with the installation's Ed25519 key)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from koll.ledger.audit.digests import Digest, stored_digests
from koll.ledger.audit.merkle import chain_link_of, merkle_path, merkle_root, root_from_path
from koll.ledger.audit.rows import _chain_hashes, _event_rows, _hash_at, to_us
from koll.ledger.domain.base import Actor, DomainError, NotAllowed
from koll.ledger.store import GENESIS, Store, events_table

if TYPE_CHECKING:
    from koll.ledger.application import Ledger


# A bundle holds every event's stored state (the chain cannot be checked without it), so it is
# built in memory: a period keeps it to a size a laptop opens.
MAX_BUNDLE_EVENTS = 200_000


def refuse_hidden(conn: sa.Connection, viewer: Actor | None, first: int, last: int) -> None:
    """Raw events cannot be redacted and still verify: refuse a range holding any the viewer may not see."""
    if viewer is None or last < first:
        return
    from koll.ledger.projections.audit import audit_events as t
    from koll.ledger.queries.visibility import visible_levels

    hidden = conn.execute(sa.select(sa.func.count()).where(
        t.c.position.between(first, last), t.c.visibility.is_not(None),
        t.c.visibility.not_in(visible_levels(viewer)))).scalar() or 0
    if hidden:
        raise NotAllowed(f"positions {first}–{last} hold {hidden} restricted events that {viewer.role} in "
                         f"{viewer.org} may not see; choose another period, or ask an auditor of the police "
                         "or social services (IFO)", hidden=hidden)
    if viewer.areas:
        elsewhere = conn.execute(sa.select(sa.func.count()).where(
            t.c.position.between(first, last), t.c.area.is_not(None),
            t.c.area.not_in(sorted(viewer.areas)))).scalar() or 0
        if elsewhere:
            raise NotAllowed(f"positions {first}–{last} hold {elsewhere} events of areas you may not see; "
                             "choose another period, or ask an auditor of every area", hidden=elsewhere)


def signing_key(var_dir: Path | None = None) -> Any:
    """The installation's private key: KOLL_SIGNING_KEY (a PEM file), else <var>/signing-key.pem,
    made on first use and readable by the owner only."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    configured = os.environ.get("KOLL_SIGNING_KEY")
    path = Path(configured) if configured else Path(var_dir or os.environ.get("KOLL_VAR_DIR", "var")) / "signing-key.pem"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def public_key_info(key: Any) -> dict[str, str]:
    from cryptography.hazmat.primitives import serialization

    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return {"algorithm": "Ed25519", "public_key": base64.b64encode(raw).decode("ascii"),
            "fingerprint": hashlib.sha256(raw).hexdigest(), "pem": pem.decode("ascii")}


def canonical(body: Any) -> bytes:
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def signed_bundle(ledger: Ledger, key: Any, start: datetime | None, end: datetime | None,
                  timeline: list[dict[str, Any]], viewer: Actor | None = None) -> dict[str, Any]:
    """Events of a period with their stored state and chain hashes, the hash before the first,
    the head as a digest, and the audit timeline; signed over its canonical JSON."""
    with ledger.store.read() as conn:
        e = events_table
        q_first = sa.select(sa.func.min(e.c.id))
        q_last = sa.select(sa.func.max(e.c.id))
        if start is not None:
            q_first = q_first.where(e.c.occurred_us >= to_us(start))
        if end is not None:
            q_last = q_last.where(e.c.occurred_us <= to_us(end))
        first = conn.execute(q_first).scalar()
        last = conn.execute(q_last).scalar()
        if first is None or last is None or last < first:
            first, last = (last or 0) + 1, last or 0
        if last - first + 1 > MAX_BUNDLE_EVENTS:
            raise DomainError(f"the period holds {last - first + 1:,} events, more than the {MAX_BUNDLE_EVENTS:,} "
                              "one bundle carries: choose a shorter period (from, to)", field="from")
        refuse_hidden(conn, viewer, first, last)
        events = _event_rows(conn, first, last) if last >= first else []
        previous = _hash_at(conn, first - 1) if first > 1 else GENESIS
        head = conn.execute(sa.select(e.c.id, e.c.chain_hash).order_by(e.c.id.desc()).limit(1)).first()
        published = [asdict(d) for d in stored_digests(conn) if first <= d.position <= last]
    body = {
        "format": "koll-audit-bundle/1",
        "generated_at": datetime.now(timezone.utc).isoformat(),
        "period": {"from": start.isoformat() if start else None, "to": end.isoformat() if end else None},
        "first_position": first, "last_position": last,
        "previous_chain_hash": previous,
        "events": events,
        "digest": {"position": last, "chain_hash": events[-1]["chain_hash"] if events else previous},
        "ledger_head": {"position": head[0], "chain_hash": head[1]} if head else {"position": 0, "chain_hash": GENESIS},
        "published_digests": published,
        "timeline": timeline,
        "chain_rule": "chain_hash[n] = sha256(chain_hash[n-1] ‖ '|' n '|' aggregate_id '|' version '|' topic '|' "
                      "occurred_us '|' ‖ state) as hex; chain_hash[0] = 64 zeros",
    }
    signature = key.sign(canonical(body))
    info = public_key_info(key)
    return {"bundle": body, "signature": base64.b64encode(signature).decode("ascii"),
            "public_key": info["public_key"], "public_key_fingerprint": info["fingerprint"], "algorithm": "Ed25519"}


def merkle_proof(store: Store, position: int, digest: Digest | None = None,
                 viewer: Actor | None = None) -> dict[str, Any]:
    """Proof that the event at ``position`` is inside the digest (default: the latest published one
    at or after it): the event's row, the hash before it, and the path to the digest's Merkle root."""
    with store.read() as conn:
        if digest is None:
            found = [d for d in stored_digests(conn) if d.position >= position]
            if not found:
                raise DomainError(f"no digest has been published at or after position {position}",
                                  sv=f"ingen kontrollsumma har publicerats på eller efter position {position}", field="digest")
            digest = found[0]
        if not 1 <= position <= digest.position:
            raise DomainError(f"position {position} is not inside the digest at {digest.position}",
                              sv=f"position {position} ligger inte inom kontrollsumman vid {digest.position}", field="position")
        refuse_hidden(conn, viewer, position, position)
        hashes = _chain_hashes(conn, digest.position)
        event = _event_rows(conn, position, position)[0]
        previous = _hash_at(conn, position - 1)
    root = merkle_root(hashes)
    return {
        "position": position, "event": event, "previous_chain_hash": previous,
        "digest": asdict(digest), "tree_size": digest.position, "merkle_root": root,
        "matches_published_root": digest.merkle_root in (None, root),
        "path": merkle_path(hashes, position - 1),
        "how_to_check": "chain_hash = sha256(previous ‖ '|position|aggregate_id|version|topic|occurred_us|' ‖ state); "
                        "leaf = sha256(0x00 ‖ chain_hash); for each step node = sha256(0x01 ‖ left ‖ right); "
                        "the result must equal the digest's merkle_root",
    }


def check_proof(proof: dict[str, Any]) -> bool:
    """Recompute a proof: the event's chain hash from its content, then the root from the path."""
    event = proof["event"]
    if chain_link_of(proof["previous_chain_hash"], event) != event["chain_hash"]:
        return False
    expected_root = proof["digest"].get("merkle_root") or proof["merkle_root"]
    return root_from_path(event["chain_hash"], proof["path"]) == expected_root

