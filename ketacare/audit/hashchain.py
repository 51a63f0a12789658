"""The hash chain shared by the audit trail and the controlled-substance ledger: each row's
hash is SHA-256 over the previous row's hash followed by a canonical JSON body of its content,
so editing, removing, inserting or reordering a row breaks every link after it."""

from __future__ import annotations

import hashlib
import json
from typing import Any

GENESIS_HASH = "0" * 64


# What json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str) does, with the
# encoder built once instead of on every call (the ledger verifies a million rows at a time).
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=str)


def canonical_json(payload: Any) -> str:
    """One spelling per value: sorted keys, no spaces, anything unusual as its str()."""
    return _ENCODER.encode(payload)


def chain_hash(prev_hash: str, body: str) -> str:
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


__all__ = ["GENESIS_HASH", "canonical_json", "chain_hash"]
