"""A Merkle tree over the chain hashes of positions 1..N (leaf = H(0x00‖hash), node = H(0x01‖l‖r),
an odd node is carried up unchanged)."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from typing import Any

from koll.ledger.store import chain_link


def _leaf(chain_hash: str) -> bytes:
    return hashlib.sha256(b"\x00" + bytes.fromhex(chain_hash)).digest()


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def merkle_root(hashes: Sequence[str]) -> str:
    level = [_leaf(h) for h in hashes]
    if not level:
        return hashlib.sha256(b"").hexdigest()
    while len(level) > 1:
        level = [_node(level[i], level[i + 1]) if i + 1 < len(level) else level[i] for i in range(0, len(level), 2)]
    return level[0].hex()


def merkle_path(hashes: Sequence[str], index: int) -> list[dict[str, str]]:
    """Sibling hashes from the leaf at ``index`` (0-based) to the root."""
    level = [_leaf(h) for h in hashes]
    path = []
    while len(level) > 1:
        sibling = index ^ 1
        if sibling < len(level):
            path.append({"side": "left" if sibling < index else "right", "hash": level[sibling].hex()})
        level = [_node(level[i], level[i + 1]) if i + 1 < len(level) else level[i] for i in range(0, len(level), 2)]
        index //= 2
    return path


def root_from_path(chain_hash: str, path: Sequence[dict[str, str]]) -> str:
    node = _leaf(chain_hash)
    for step in path:
        other = bytes.fromhex(step["hash"])
        node = _node(other, node) if step["side"] == "left" else _node(node, other)
    return node.hex()


def chain_link_of(previous: str, row: dict[str, Any]) -> str:
    return chain_link(previous, row["position"], row["aggregate_id"], row["version"], row["topic"],
                      base64.b64decode(row["state_b64"]), row["occurred_us"])
