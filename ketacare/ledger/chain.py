"""The ledger's hash chain and its verification. Each entry's hash is SHA-256 over the previous
entry's hash and a canonical body of its content (the audit trail's scheme, from
ketacare.audit.hashchain); `verify_ledger()` walks every entry once, streaming, and recomputes
the chain, the sequence numbers, each entry's running balance and the balance table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

from ketacare.audit.hashchain import GENESIS_HASH, canonical_json, chain_hash

from .models import ChainHead, LedgerEntry, StockBalance

# The columns the hash covers, in order. Changing this tuple breaks every existing chain.
HASHED_FIELDS = (
    "clinic_id",
    "seq",
    "dea_registration",
    "kind",
    "lot_id",
    "location_id",
    "quantity",
    "quantity_mg",
    "balance_after",
    "recorded_at",
    "actor_id",
    "witness_id",
    "patient_id",
    "treatment_session_id",
    "counterparty_name",
    "counterparty_dea",
    "counterparty_address",
    "document_number",
    "received_on",
    "directions",
    "reason",
    "corrects_id",
    "related_entry_id",
    "investigation_id",
)
# Columns added after chains were first written: hashed, after the others, only when one of
# them is set, so that every entry written before they existed keeps its hash.
LATER_FIELDS = ("patient_name", "patient_address")
_DECIMALS = frozenset({"quantity", "quantity_mg", "balance_after"})
_UTC = dt.UTC


def _canonical_datetime(value: Any) -> str:
    # Spelled as SQLite stores it (naive UTC, space-separated), whatever the database gives.
    if isinstance(value, str):
        return value
    return value.astimezone(_UTC).replace(tzinfo=None).isoformat(sep=" ")


def _canonical_date(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return value.isoformat()


def canonical_values(values: dict[str, Any]) -> list[Any]:
    """The hashed fields as plain JSON values, identical whether they come from Python objects
    (when written) or from either database's raw rows (when verified)."""
    out: list[Any] = []
    for name in HASHED_FIELDS:
        value = values[name]
        if name in _DECIMALS:
            value = f"{value:.3f}"
        elif name == "recorded_at":
            value = _canonical_datetime(value)
        elif name == "received_on":
            value = _canonical_date(value)
        out.append(value)
    later = [values.get(name) or "" for name in LATER_FIELDS]
    return out + later if any(later) else out


def _hashed_part(row: Any) -> list[Any]:
    """A raw row's canonical fields (HASHED_FIELDS then LATER_FIELDS) as the hash covers them."""
    values = list(row)
    base = len(HASHED_FIELDS)
    return values if any(values[base:]) else values[:base]


def entry_hash(prev_hash: str, values: dict[str, Any]) -> str:
    return chain_hash(prev_hash, canonical_json(canonical_values(values)))


def _milli(text: str) -> int:
    # "-1.500" -> -1500: balances are summed as integers of thousandths, exactly.
    return int(text.replace(".", ""))


@dataclass
class VerifyResult:
    ok: bool
    entries: int = 0
    balances: int = 0
    entry_id: int | None = None
    seq: int | None = None
    clinic_id: int | None = None
    problem: str = ""
    clinics: dict[int, int] = field(default_factory=dict)

    @property
    def message(self) -> str:
        if self.ok:
            return (
                f"Ledger intact: {self.entries} entries in {len(self.clinics)} clinic chain(s), "
                f"{self.balances} balances agree with the entries."
            )
        where = f"entry #{self.entry_id} (clinic {self.clinic_id}, seq {self.seq})"
        if self.entry_id is None:
            where = f"clinic {self.clinic_id}"
        return f"Ledger verification FAILED at {where}: {self.problem}"


@contextmanager
def _snapshot() -> Iterator[None]:
    """One consistent view of the ledger for the whole walk, without blocking writers: a
    deferred read transaction on SQLite (WAL), REPEATABLE READ on PostgreSQL."""
    if connection.in_atomic_block:
        yield
        return
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield
        return
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("BEGIN")
        try:
            yield
        finally:
            cursor.execute("COMMIT")


def verify_ledger(*, chunk_size: int = 5000) -> VerifyResult:
    with _snapshot():
        return _verify(chunk_size)


def _canonical_columns() -> list[str]:
    """SQL for each hashed field, spelled in canonical text by the database (in C)."""
    quote = connection.ops.quote_name
    selected = []
    for name in HASHED_FIELDS:
        column = quote(name)
        if connection.vendor == "postgresql":
            if name in _DECIMALS:
                column = f"CAST({column} AS TEXT)"  # numeric(p, 3) keeps its three decimals
            elif name == "recorded_at":
                utc = f"({column} AT TIME ZONE 'UTC')"
                column = (
                    f"CASE WHEN EXTRACT(MICROSECONDS FROM {column}) % 1000000 = 0 "
                    f"THEN to_char({utc}, 'YYYY-MM-DD HH24:MI:SS') "
                    f"ELSE to_char({utc}, 'YYYY-MM-DD HH24:MI:SS.US') END"
                )
            elif name == "received_on":
                column = f"to_char({column}, 'YYYY-MM-DD')"
        elif name in _DECIMALS:
            column = f"printf('%.3f', {column})"
        elif name in ("recorded_at", "received_on"):
            # The stored text itself (SQLite's converters apply to declared types only).
            column = f"CAST({column} AS TEXT)"
        selected.append(column)
    return selected + [quote(name) for name in LATER_FIELDS]


# Row layout of the walk: id, prev_hash, hash, clinic, seq, lot, location, quantity,
# balance_after, then the body: on SQLite one column, json_array() of the canonical fields
# (the same text as canonical_json for printable ASCII; other rows are re-encoded in Python);
# elsewhere the canonical fields themselves, encoded in Python.
_BODY = 9


def _select_sql(*, one_row: bool = False) -> str:
    quote = connection.ops.quote_name
    fields = _canonical_columns()
    index = {name: fields[i] for i, name in enumerate(HASHED_FIELDS)}
    head = [
        quote("id"),
        quote("prev_hash"),
        quote("hash"),
        index["clinic_id"],
        index["seq"],
        index["lot_id"],
        index["location_id"],
        index["quantity"],
        index["balance_after"],
    ]
    if connection.vendor == "sqlite" and not one_row:
        base = fields[: len(HASHED_FIELDS)]
        blank = " AND ".join(f"{quote(name)} = ''" for name in LATER_FIELDS)
        body = [
            f"CASE WHEN {blank} THEN json_array({', '.join(base)}) "
            f"ELSE json_array({', '.join(fields)}) END"
        ]
    else:
        body = fields
    table = quote(LedgerEntry._meta.db_table)
    where = f" WHERE {quote('id')} = %s" if one_row else ""
    # Column and table names are ours, not input.
    return f"SELECT {', '.join(head + body)} FROM {table}{where} ORDER BY {quote('id')}"  # noqa: S608


def _python_body(entry_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(_select_sql(one_row=True), [entry_id])
        row = cursor.fetchone()
    return canonical_json(_hashed_part(row[_BODY:]))


def _verify(chunk_size: int) -> VerifyResult:
    heads = {
        clinic_id: (count, last_hash)
        for clinic_id, count, last_hash in ChainHead.objects.values_list(
            "clinic_id", "entry_count", "last_hash"
        )
    }
    chain: dict[int, list[Any]] = {}  # clinic -> [last seq, last hash]
    balances: dict[tuple[int, int], int] = {}
    entries = 0
    i_clinic, i_seq, i_lot, i_loc, i_q, i_bal = 3, 4, 5, 6, 7, 8
    sqlite_body = connection.vendor == "sqlite"
    encode = canonical_json
    digest = chain_hash

    def fail(row: Any, problem: str) -> VerifyResult:
        counts = {clinic: state[0] for clinic, state in chain.items()}
        return VerifyResult(False, entries, 0, row[0], row[i_seq], row[i_clinic], problem, counts)

    cursor = connection.chunked_cursor()
    try:
        cursor.execute(_select_sql())
        while True:
            rows = cursor.fetchmany(chunk_size)
            if not rows:
                break
            for row in rows:
                clinic = row[i_clinic]
                seq = row[i_seq]
                state = chain.get(clinic)
                if state is None:
                    state = chain[clinic] = [0, GENESIS_HASH]
                if seq != state[0] + 1:
                    return fail(
                        row,
                        f"expected seq {state[0] + 1} here but found {seq}: "
                        "entries were removed, inserted or reordered",
                    )
                prev = state[1]
                if row[1] != prev:
                    return fail(
                        row,
                        "it does not link to the entry before it: an entry was removed, "
                        "inserted or reordered",
                    )
                if sqlite_body:
                    body = row[_BODY]
                    if not body.isascii() or "\x7f" in body:
                        body = _python_body(row[0])
                else:
                    body = encode(_hashed_part(row[_BODY:]))
                if digest(prev, body) != row[2]:
                    return fail(row, "its content does not match its hash: it was edited")
                key = (row[i_lot], row[i_loc])
                # Thousandths as integers: "-1.500" -> -1500, exact.
                balance = balances.get(key, 0) + int(row[i_q].replace(".", ""))
                if balance < 0:
                    return fail(row, "it takes the balance below zero")
                if balance != int(row[i_bal].replace(".", "")):
                    return fail(
                        row,
                        f"the entries add up to {balance / 1000:.3f} at this lot and location, "
                        f"but it records a balance of {row[i_bal]}",
                    )
                balances[key] = balance
                state[0] = seq
                state[1] = row[2]
                entries += 1
    finally:
        cursor.close()

    last_seq = {clinic: state[0] for clinic, state in chain.items()}
    last_hash = {clinic: state[1] for clinic, state in chain.items()}
    for clinic, (count, head_hash) in sorted(heads.items()):
        found = last_seq.get(clinic, 0)
        if found != count or last_hash.get(clinic, GENESIS_HASH) != head_hash:
            result = VerifyResult(False, entries, 0, None, None, clinic, "", dict(last_seq))
            if found > count:
                extra = (
                    LedgerEntry.objects.filter(clinic_id=clinic, seq=count + 1)
                    .values_list("id", flat=True)
                    .first()
                )
                result.entry_id, result.seq = extra, count + 1
                result.problem = (
                    f"the chain head records {count} entries but the table holds {found}: "
                    "this entry and any after it were inserted behind the application's back"
                )
            else:
                result.problem = (
                    f"the chain head records {count} entries ending in hash {head_hash[:12]}…, "
                    f"but the table holds {found}: entries after seq {found} were removed"
                )
            return result
    for clinic in last_seq:
        if clinic not in heads:
            return VerifyResult(
                False,
                entries,
                0,
                None,
                None,
                clinic,
                "entries exist but the clinic has no chain head",
                dict(last_seq),
            )

    checked = 0
    stored = StockBalance.objects.order_by("id").values_list(
        "clinic_id", "lot_id", "location_id", "quantity"
    )
    for clinic, lot, location, quantity in stored.iterator(chunk_size=chunk_size):
        checked += 1
        computed = balances.pop((lot, location), 0)
        if _milli(f"{quantity:.3f}") != computed:
            return VerifyResult(
                False,
                entries,
                checked,
                None,
                None,
                clinic,
                f"the balance table holds {quantity:.3f} for lot {lot} at location {location} "
                f"but the entries add up to {computed / 1000:.3f}",
                dict(last_seq),
            )
    leftover = next((key for key, value in balances.items() if value != 0), None)
    if leftover is not None:
        return VerifyResult(
            False,
            entries,
            checked,
            None,
            None,
            None,
            f"lot {leftover[0]} at location {leftover[1]} has stock in the entries "
            "but no balance row",
            dict(last_seq),
        )
    return VerifyResult(True, entries, checked, clinics=dict(last_seq))
