"""Who may see what: the role rules, in one place, used by every endpoint.

- admin: everything.
- uploader (bound to a region): uploads; sees the batches and documents its region uploaded.
- reviewer (bound to lead units): sees and reviews declarations for the measures those units lead.
- publicity: search and typical experiences, only passages cleared for promotion.

A document a principal may not see answers 404, exactly like one that does not exist, so nothing leaks.
"""

from __future__ import annotations

import json

from index.auth import Principal, Role
from index.search import SearchFilters
from index.store import NotFoundError, Store, StoreError


class Forbidden(StoreError):
    """The role may not do this at all (HTTP 403)."""

    code = "forbidden"


class Hidden(NotFoundError):
    """The principal may not see this object: answered exactly as if it did not exist (HTTP 404)."""

    def __init__(self, what: str = ""):
        super().__init__(f"no such object {what}".strip())


def require(principal: Principal, *roles: Role) -> None:
    if principal.role is not Role.ADMIN and principal.role not in roles:
        raise Forbidden(f"the {principal.role.value} role may not do this")


def check_measure(store: Store, principal: Principal, measure: int, *roles: Role) -> dict:
    """The one measure check of every route: the role may work on measures, the measure is in the
    catalog (else `unknown_measure`), and a reviewer's unit leads it (else `forbidden`). Returns its row."""
    require(principal, *(roles or (Role.REVIEWER,)))
    row = store.measure_row(measure)
    led = measures_of(store, principal)
    if led is not None and measure not in led:
        raise Forbidden(f"measure {measure} is not led by your unit")
    return row


def measures_of(store: Store, principal: Principal) -> tuple[int, ...] | None:
    """The measures a reviewer leads (None: no restriction)."""
    if principal.role is not Role.REVIEWER:
        return None
    out = set()
    for r in store.db.query("SELECT id, lead_units FROM measures"):
        if set(json.loads(r["lead_units"])) & set(principal.lead_units):
            out.add(r["id"])
    return tuple(sorted(out))


def measure_list(store: Store, principal: Principal) -> list[dict]:
    """The measures the principal works on (a reviewer: those its units lead), with declaration counts
    for reviewers and admins."""
    led = measures_of(store, principal)
    counts = {}
    if principal.role in (Role.ADMIN, Role.REVIEWER):
        counts = {r["measure"]: r for r in store.db.query(
            "SELECT dm.measure, COUNT(DISTINCT dm.document_id) AS documents, COUNT(DISTINCT d.region) AS regions "
            "FROM document_measures dm JOIN documents d ON d.id = dm.document_id WHERE dm.level = 'declared' "
            "GROUP BY dm.measure")}
    rows = []
    for m in store.db.query("SELECT * FROM measures ORDER BY campaign_id DESC, id"):
        if led is not None and m["id"] not in led:
            continue
        extra = {}
        if principal.role in (Role.ADMIN, Role.REVIEWER):
            c = counts.get(m["id"])
            extra = {"documents": c["documents"] if c else 0, "regions": c["regions"] if c else 0}
        rows.append({"id": m["id"], "campaign": m["campaign_id"], "title": m["title"],
                     "lead_units": json.loads(m["lead_units"]), "co_units": json.loads(m["co_units"]),
                     "applicant_types": json.loads(m["applicant_types"]), "incentives": json.loads(m["incentives"]),
                     **extra})
    return rows


def scope_filters(store: Store, principal: Principal, filters: SearchFilters) -> SearchFilters:
    """Narrow search filters to what the principal may see."""
    if principal.role is Role.UPLOADER:
        filters.owner_region = principal.region
    elif principal.role is Role.REVIEWER:
        filters.measures_any = measures_of(store, principal)
    elif principal.role is Role.PUBLICITY:
        filters.exemplary_only = True
    return filters


def check_document(store: Store, principal: Principal, document_id: str) -> dict:
    """The document row, if the principal may see it; otherwise Hidden."""
    row = next(store.db.query("SELECT * FROM documents WHERE id = ?", [document_id]), None)
    if row is None:
        raise Hidden(document_id)
    role = principal.role
    if role is Role.ADMIN:
        return row
    if role is Role.UPLOADER:
        if principal.region in json.loads(row["owner_regions"] or "[]"):
            return row
        raise Hidden(document_id)
    if role is Role.REVIEWER:
        led = measures_of(store, principal) or ()
        if led and _document_has_measure(store, document_id, led):
            return row
        raise Hidden(document_id)
    if role is Role.PUBLICITY:
        if visible_passage_ids(store, principal, document_id):
            return row
        raise Hidden(document_id)
    raise Hidden(document_id)


def _document_has_measure(store: Store, document_id: str, measures: tuple[int, ...]) -> bool:
    marks = ",".join("?" * len(measures))
    return bool(next(store.db.query(
        f"SELECT 1 FROM document_measures WHERE document_id = ? AND measure IN ({marks}) UNION ALL "
        f"SELECT 1 FROM passage_labels pl JOIN passages p ON p.id = pl.passage_id WHERE p.document_id = ? "
        f"AND pl.measure IN ({marks}) LIMIT 1", [document_id, *measures, document_id, *measures]), None))


def visible_passage_ids(store: Store, principal: Principal, document_id: str) -> set[int] | None:
    """For publicity staff, the cleared passages of a document; None means every passage."""
    if principal.role is not Role.PUBLICITY:
        return None
    return {r["id"] for r in store.db.query("SELECT id FROM passages WHERE document_id = ? AND tags LIKE ?",
                                            [document_id, "%xcleared%"])}


def check_passage(store: Store, principal: Principal, passage_id: int) -> dict:
    row = next(store.db.query("SELECT * FROM passages WHERE id = ?", [passage_id]), None)
    if row is None:
        raise Hidden(str(passage_id))
    # a reviewer reads and reviews every passage of a document they may see: the classifier may have
    # missed one of their measures (relabelling touches only the measures their unit leads)
    check_document(store, principal, row["document_id"])
    return row
