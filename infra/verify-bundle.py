#!/usr/bin/env python3
"""Check a Koll audit bundle offline: its Ed25519 signature, its hash chain, its digest.

    python3 infra/verify-bundle.py BUNDLE.json [--public-key KEY] [--digest POSITION:HASH ...]

Needs only the standard library and ``cryptography``; imports nothing from Koll, so an auditor
can read it and run it on a machine of their own. ``--public-key`` pins the key you were given
(base64 raw key, PEM file or PEM text); without it the key inside the bundle is used and the
output says so. ``--digest`` checks the chain against a digest you kept yourself.
Exit 0 when everything holds, 1 when anything does not (the first failure is printed).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import sys
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

GENESIS = "0" * 64


def canonical(body: object) -> bytes:
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def load_public_key(text: str) -> Ed25519PublicKey:
    if Path(text).is_file():
        text = Path(text).read_text()
    if "BEGIN PUBLIC KEY" in text:
        key = serialization.load_pem_public_key(text.encode())
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("not an Ed25519 key")
        return key
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(text.strip()))


def link(previous: str, e: dict) -> str:
    h = hashlib.sha256(previous.encode())
    h.update(f"|{e['position']}|{e['aggregate_id']}|{e['version']}|{e['topic']}|{e['occurred_us']}|".encode())
    h.update(base64.b64decode(e["state_b64"]))
    return h.hexdigest()


def verify(signed: dict, pinned: str | None, digests: list[tuple[int, str]]) -> list[str]:
    """Returns what was checked; raises ValueError with the first failure."""
    said = []
    body = signed["bundle"]
    key_text = pinned or signed["public_key"]
    key = load_public_key(key_text)
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    if base64.b64encode(raw).decode() != signed["public_key"]:
        raise ValueError("the bundle names a different public key than the one pinned")
    try:
        key.verify(base64.b64decode(signed["signature"]), canonical(body))
    except InvalidSignature:
        raise ValueError("the signature does not match: the bundle was changed after it was signed") from None
    fingerprint = hashlib.sha256(raw).hexdigest()
    said.append(f"signature ok (Ed25519 {fingerprint[:16]}…{' pinned' if pinned else ', key taken from the bundle'})")
    previous = body["previous_chain_hash"]
    expected = body["first_position"]
    hashes = {}
    for e in body["events"]:
        if e["position"] != expected:
            raise ValueError(f"position {expected} is missing from the bundle (found {e['position']})")
        computed = link(previous, e)
        if computed != e["chain_hash"]:
            raise ValueError(f"event {e['position']} does not match its chain hash")
        hashes[e["position"]] = computed
        previous = computed
        expected += 1
    said.append(f"chain ok: {len(body['events'])} events, positions {body['first_position']}–{expected - 1}")
    digest = body["digest"]
    if digest["chain_hash"] != previous or digest["position"] != expected - 1:
        raise ValueError("the bundle's digest is not the head of its chain")
    said.append(f"digest ok: position {digest['position']} {digest['chain_hash']}")
    for d in body.get("published_digests", []):
        if d["position"] in hashes and hashes[d["position"]] != d["chain_hash"]:
            raise ValueError(f"the digest published at position {d['position']} does not match the chain")
    for position, chain_hash in digests:
        if position == body["first_position"] - 1:
            ok = body["previous_chain_hash"] == chain_hash
        elif position in hashes:
            ok = hashes[position] == chain_hash
        else:
            raise ValueError(f"your digest at position {position} is outside this bundle")
        if not ok:
            raise ValueError(f"your digest at position {position} does not match: the ledger was rewritten")
        said.append(f"your digest at position {position} matches")
    return said


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check a Koll audit bundle offline.")
    parser.add_argument("bundle")
    parser.add_argument("--public-key", help="the installation's public key (base64, PEM text or PEM file)")
    parser.add_argument("--digest", action="append", default=[], metavar="POSITION:HASH")
    args = parser.parse_args(argv)
    try:
        signed = json.loads(Path(args.bundle).read_text(encoding="utf-8"))
        digests = [(int(d.split(":", 1)[0]), d.split(":", 1)[1]) for d in args.digest]
        for line in verify(signed, args.public_key, digests):
            print(line)
    except (ValueError, KeyError, TypeError, OSError) as e:
        print(f"NOT VALID: {e}", file=sys.stderr)
        return 1
    print("VALID")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
