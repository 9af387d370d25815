"""API tokens: created once, shown once, stored only as a SHA-256 hash.

Tokens are 32 random bytes, so a fast hash is enough (no password stretching is needed against
guessing); the plaintext is never stored or logged.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, field
from enum import Enum

from classify import load_gazetteer
from index.store import Store, StoreError, now

TOKEN_PREFIX = "jili_"


class Role(str, Enum):
    ADMIN = "admin"
    UPLOADER = "uploader"  # bound to a region: uploads, sees its own region's files and results
    REVIEWER = "reviewer"  # bound to lead units: sees and reviews declarations for the measures they lead
    PUBLICITY = "publicity"  # search and typical experiences, cleared passages only


@dataclass(frozen=True)
class Principal:
    id: int
    name: str
    role: Role
    region: str | None = None
    lead_units: tuple[str, ...] = field(default_factory=tuple)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(store: Store, role: Role | str, *, name: str = "", region: str | None = None,
                 lead_units: list[str] | None = None) -> tuple[str, Principal]:
    """Create a token; returns the plaintext (show it once) and its principal."""
    role = Role(role)
    if role is Role.UPLOADER and not region:
        raise StoreError("an uploader token must be bound to a region (--region)")
    if role is Role.REVIEWER and not lead_units:
        raise StoreError("a reviewer token must name at least one lead unit (--lead-unit)")
    if region:
        known = load_gazetteer().find(region.strip())
        if known is None:
            raise StoreError(f"unknown region {region!r}: use a 区县 or platform name, e.g. 璧山区 or 两江新区")
        region = known.name
    known_units = store.lead_units()
    unknown = sorted(set(lead_units or ()) - known_units)
    if unknown:
        raise StoreError(f"unknown lead unit {'、'.join(unknown)}: the catalog's lead units are "
                         f"{'、'.join(sorted(known_units))}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with store.write():
        row = store.db["tokens"].insert({
            "name": name or role.value, "token_hash": _hash(token), "role": role.value, "region": region,
            "lead_units": json.dumps(lead_units or [], ensure_ascii=False), "created_at": now(), "revoked": 0,
        })
    return token, Principal(row.last_pk, name or role.value, role, region, tuple(lead_units or ()))


def authenticate(store: Store, token: str | None) -> Principal | None:
    if not token or not token.startswith(TOKEN_PREFIX):
        return None
    row = next(store.db.query("SELECT * FROM tokens WHERE token_hash = ? AND revoked = 0", [_hash(token)]), None)
    if row is None:
        return None
    return Principal(row["id"], row["name"], Role(row["role"]), row["region"], tuple(json.loads(row["lead_units"])))


def revoke_token(store: Store, token_id: int) -> None:
    with store.write():
        store.db["tokens"].update(token_id, {"revoked": 1})
