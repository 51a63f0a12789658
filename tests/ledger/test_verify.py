"""`ketacare ledger verify` recomputes the hash chain and the balances, and names the first bad
entry when a row was edited, deleted, inserted or reordered behind the application's back."""

# Tampering is the point here: these tests write SQL by hand, with our own column names.
# ruff: noqa: S608

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from ketacare.ledger import services
from ketacare.ledger.chain import HASHED_FIELDS, canonical_values, entry_hash
from ketacare.ledger.models import AppendOnlyError, LedgerEntry
from tests.factories import PASSWORD


@pytest.fixture
def ledger(world, stock):
    """A few more entries after the fixture's receipt: administrations and a waste."""
    for quantity in ("1", "2", "0.5"):
        services.record_administration(
            actor=world.clinician,
            lot=stock.lot,
            location=stock.safe,
            patient=world.patient,
            quantity=quantity,
        )
    services.record_waste(
        actor=world.clinician,
        lot=stock.lot,
        location=stock.safe,
        quantity="0.25",
        reason="remainder",
        witness=world.prescriber,
        witness_password=PASSWORD,
    )
    return list(LedgerEntry.objects.order_by("seq"))


def verify() -> str:
    with pytest.raises(CommandError) as failed:
        call_command("ledger", "verify")
    return str(failed.value)


def execute(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_an_untouched_ledger_verifies(ledger, capsys):
    call_command("ledger", "verify")
    assert "Ledger intact: 5 entries" in capsys.readouterr().out


def test_editing_an_amount_is_caught_and_the_entry_named(ledger):
    target = ledger[2]
    execute("UPDATE ledger_ledgerentry SET quantity = %s WHERE id = %s", ["-0.1", target.pk])
    message = verify()
    assert f"entry #{target.pk}" in message and "edited" in message


def test_deleting_a_row_is_caught(ledger):
    target = ledger[2]
    execute("DELETE FROM ledger_ledgerentry WHERE id = %s", [target.pk])
    message = verify()
    assert f"entry #{ledger[3].pk}" in message and "removed" in message


def test_deleting_the_last_row_is_caught_by_the_chain_head(ledger):
    execute("UPDATE ledger_stockbalance SET last_entry_id = NULL")
    execute("DELETE FROM ledger_ledgerentry WHERE id = %s", [ledger[-1].pk])
    message = verify()
    assert "removed" in message


def test_swapping_two_rows_is_caught(ledger):
    first, second = ledger[1], ledger[2]
    columns = [f for f in HASHED_FIELDS if f not in ("clinic_id",)] + ["prev_hash", "hash"]
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quoted} FROM ledger_ledgerentry WHERE id = %s", [first.pk])
        a = cursor.fetchone()
        cursor.execute(f"SELECT {quoted} FROM ledger_ledgerentry WHERE id = %s", [second.pk])
        b = cursor.fetchone()
        # Move the first out of the way of the unique constraints, then swap.
        cursor.execute(
            "UPDATE ledger_ledgerentry SET seq = 999999, hash = 'tmp' WHERE id = %s", [first.pk]
        )
        sets = ", ".join(f"{connection.ops.quote_name(c)} = %s" for c in columns)
        cursor.execute(f"UPDATE ledger_ledgerentry SET {sets} WHERE id = %s", [*a, second.pk])
        cursor.execute(f"UPDATE ledger_ledgerentry SET {sets} WHERE id = %s", [*b, first.pk])
    message = verify()
    assert f"entry #{first.pk}" in message


def test_inserting_a_forged_row_with_a_valid_hash_is_caught(ledger, world, stock):
    last = ledger[-1]
    forged = {f: getattr(last, f) for f in HASHED_FIELDS}
    forged.update(
        seq=last.seq + 1,
        quantity=-last.balance_after,
        quantity_mg=-last.balance_after * 50,
        balance_after=0,
    )
    digest = entry_hash(last.hash, forged)
    columns = ["prev_hash", "hash", *HASHED_FIELDS]
    execute(
        f"INSERT INTO ledger_ledgerentry ({', '.join(columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})",
        [last.hash, digest, *canonical_values(forged)],
    )
    forged_id = LedgerEntry.objects.get(seq=last.seq + 1).pk
    message = verify()
    assert f"entry #{forged_id}" in message and "inserted" in message


def test_inserting_a_row_with_a_made_up_hash_is_caught(ledger):
    last = ledger[-1]
    columns = ["prev_hash", "hash", *HASHED_FIELDS]
    values = {f: getattr(last, f) for f in HASHED_FIELDS}
    values["seq"] = last.seq + 1
    execute(
        f"INSERT INTO ledger_ledgerentry ({', '.join(columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})",
        [last.hash, "f" * 64, *canonical_values(values)],
    )
    message = verify()
    assert "edited" in message or "inserted" in message


def test_a_balance_table_edited_behind_the_apps_back_is_caught(ledger, stock):
    execute("UPDATE ledger_stockbalance SET quantity = %s WHERE lot_id = %s", ["99", stock.lot.pk])
    assert "balance table" in verify()


def test_the_application_has_no_update_or_delete_path(ledger):
    entry = ledger[0]
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.filter(pk=entry.pk).update(quantity=1)
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.filter(pk=entry.pk).delete()


def test_entries_with_non_ascii_text_verify_and_their_edits_are_caught(
    ledger, world, stock, capsys
):
    entry = services.record_waste(
        actor=world.clinician,
        lot=stock.lot,
        location=stock.safe,
        quantity="0.1",
        reason="Ampoule cassée — 0,1 mL perdu\x7f",
        witness=world.prescriber,
        witness_password=PASSWORD,
    )
    call_command("ledger", "verify")
    assert "Ledger intact: 6 entries" in capsys.readouterr().out
    execute("UPDATE ledger_ledgerentry SET reason = %s WHERE id = %s", ["Ampoule cassée", entry.pk])
    assert f"entry #{entry.pk}" in verify()
