"""Audit: a ledger nobody can quietly rewrite, the past as it stood, erasure that keeps the chain.

One module a concern:
- ``chain``: ``verify_chain`` recomputes the hash chain straight from the stored rows and names
  the first position that breaks; digests (the ``koll_digests`` table, the outside file and any
  kept elsewhere) are checked on the way.
- ``digests``: ``publish_digest`` records the chain head on demand, at every meeting, every N
  events and every hour; ``outside`` writes each to a place beyond the database (an append-only
  file, the log, a webhook).
- ``merkle`` and ``bundles``: ``merkle_proof`` shows that one event is inside a published digest;
  ``signed_bundle`` exports events, chain and digest signed with the installation's Ed25519 key.
- ``asof``: ``replay_until`` folds the ledger up to a moment into a scratch in-memory SQLite
  database with the very projection classes the live boards use (time travel).
- ``erasure``: ``erase_observation`` destroys a report's key in the transaction that records it.
- ``readmodels``: the live read models compared with a rebuild into a scratch database.

See docs/decisions/0004-audit-digests-erasure-time-travel.md for why digests are not events and
why erasure is an event on the observation.
"""

from koll.ledger.audit.asof import AsOfCache, Scratch, board_projector, replay_until
from koll.ledger.audit.bundles import (
    MAX_BUNDLE_EVENTS,
    canonical,
    check_proof,
    merkle_proof,
    public_key_info,
    refuse_hidden,
    signed_bundle,
    signing_key,
)
from koll.ledger.audit.chain import VerifyReport, verify_chain
from koll.ledger.audit.digests import (
    MEETING_EVENTS,
    Digest,
    digest_at_meetings,
    digests_table,
    head_digest,
    list_digests,
    load_digests,
    publish_digest,
    publish_digest_in,
    record_digest,
    stored_digests,
)
from koll.ledger.audit.erasure import erase_observation, erase_walk_people
from koll.ledger.audit.merkle import chain_link_of, merkle_path, merkle_root, root_from_path
from koll.ledger.audit.rows import from_us, to_us

__all__ = [
    "MAX_BUNDLE_EVENTS", "MEETING_EVENTS", "AsOfCache", "board_projector", "canonical", "chain_link_of",
    "check_proof", "Digest", "digest_at_meetings", "digests_table", "erase_observation",
    "erase_walk_people", "from_us", "head_digest", "list_digests", "load_digests", "merkle_path",
    "merkle_proof", "merkle_root", "public_key_info", "publish_digest", "publish_digest_in", "record_digest",
    "refuse_hidden", "replay_until", "root_from_path", "Scratch", "signed_bundle", "signing_key",
    "stored_digests", "to_us", "verify_chain", "VerifyReport",
]
