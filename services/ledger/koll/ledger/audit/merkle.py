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


class Frontier:
    """The same root as ``merkle_root`` kept up as leaves are added: the roots of the perfect
    subtrees that N's binary digits make (largest first), merged like a binary counter carries.
    Level-by-level pairing with the odd node carried up gives the tree that splits N leaves at the
    largest power of two below N, so the root folds these subtrees from the right. A digest every
    1,000 events then hashes the new leaves only, not the whole chain again."""

    def __init__(self) -> None:
        self.size = 0
        self._peaks: list[tuple[int, bytes]] = []  # (leaves under it, its hash), largest first

    def extend(self, hashes: Sequence[str]) -> None:
        for h in hashes:
            peak = (1, _leaf(h))
            while self._peaks and self._peaks[-1][0] == peak[0]:
                size, left = self._peaks.pop()
                peak = (size * 2, _node(left, peak[1]))
            self._peaks.append(peak)
        self.size += len(hashes)

    def root(self) -> str:
        if not self._peaks:
            return hashlib.sha256(b"").hexdigest()
        node = self._peaks[-1][1]
        for _size, left in reversed(self._peaks[:-1]):
            node = _node(left, node)
        return node.hex()

    def copy(self) -> Frontier:
        other = Frontier()
        other.size, other._peaks = self.size, list(self._peaks)
        return other


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
