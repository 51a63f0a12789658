"""`ketacare audit verify`: an edit, a deletion or a forged row behind the application's back
is found, named by its row id, and makes the command fail."""

import sqlite3

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from ketacare.audit.log import record
from ketacare.audit.models import AuditEvent
from tests.ketacare_process import ketacare_env, migrated_var_dir, run_ketacare

TABLE = AuditEvent._meta.db_table
COPIED = ("at", "actor_id", "actor_email", "actor_role", "clinic_id", "action", "model",
          "object_id", "patient_id", "ip", "path", "outcome", "detail")  # fmt: skip


@pytest.fixture
def chain(world):
    """Six audit rows, oldest first."""
    return [
        record(
            actor=world.clinician,
            action="view",
            obj=world.patient,
            patient=world.patient,
            detail=f"read {n}",
        )  # fmt: skip
        for n in range(6)
    ]


def sql(statement: str) -> str:
    return statement.format(table=TABLE, columns=", ".join(COPIED))


def verify():
    call_command("audit", "verify")


def test_an_untouched_chain_is_reported_intact_with_its_size(chain, capsys):
    verify()
    assert capsys.readouterr().out.strip() == f"Audit chain intact: {len(chain)} events"


def test_an_empty_trail_is_intact(db, capsys):
    verify()
    assert "Audit chain intact: 0 events" in capsys.readouterr().out


def test_a_row_edited_with_raw_sql_is_named(chain):
    edited = chain[2]
    with connection.cursor() as cursor:
        cursor.execute(
            sql("UPDATE {table} SET detail = %s WHERE id = %s"), ["nothing to see", edited.pk]
        )
    with pytest.raises(CommandError, match=rf"#{edited.pk}: its content does not match its hash"):
        verify()


def test_a_row_whose_hash_was_also_recomputed_breaks_the_link_of_the_next(chain):
    # A forger who rewrites a row and its hash still cannot make the next row point at it.
    edited = chain[2]
    with connection.cursor() as cursor:
        cursor.execute(sql("UPDATE {table} SET hash = %s WHERE id = %s"), ["f" * 64, edited.pk])
    with pytest.raises(CommandError, match=rf"#{edited.pk}:"):
        verify()


def test_a_deleted_row_is_found_at_the_row_after_it(chain):
    with connection.cursor() as cursor:
        cursor.execute(sql("DELETE FROM {table} WHERE id = %s"), [chain[3].pk])
    with pytest.raises(CommandError, match=rf"#{chain[4].pk}: does not link to the row before it"):
        verify()


def test_a_forged_row_appended_with_raw_sql_is_named(chain):
    last = chain[-1]
    with connection.cursor() as cursor:
        # Links to the real last row, but its hash was made up: it cannot be recomputed.
        cursor.execute(
            sql(
                "INSERT INTO {table} ({columns}, prev_hash, hash) "
                "SELECT {columns}, hash, %s FROM {table} WHERE id = %s"
            ),
            ["a" * 64, last.pk],
        )
    forged = AuditEvent.objects.order_by("-id").first()
    assert forged.pk > last.pk
    with pytest.raises(CommandError, match=rf"#{forged.pk}: its content does not match its hash"):
        verify()


def test_a_forged_row_that_copies_an_old_link_is_named(chain):
    with connection.cursor() as cursor:
        cursor.execute(
            sql(
                "INSERT INTO {table} ({columns}, prev_hash, hash) "
                "SELECT {columns}, prev_hash, %s FROM {table} WHERE id = %s"
            ),
            ["b" * 64, chain[1].pk],
        )
    forged = AuditEvent.objects.order_by("-id").first()
    with pytest.raises(CommandError, match=rf"#{forged.pk}: does not link to the row before it"):
        verify()


@pytest.mark.slow
def test_verify_fails_with_a_nonzero_exit_as_a_real_process(tmp_path_factory, tmp_path):
    var = migrated_var_dir(tmp_path_factory, tmp_path)
    env = ketacare_env(var)
    run_ketacare("demo", "--force", env=env, check=True)  # writes a few dozen audit rows
    intact = run_ketacare("audit", "verify", env=env)
    assert intact.returncode == 0, intact.stderr
    assert "Audit chain intact:" in intact.stdout

    db = sqlite3.connect(var / "ketacare.sqlite3")
    try:
        cursor = db.cursor()
        (victim,) = cursor.execute(
            sql("SELECT id FROM {table} ORDER BY id LIMIT 1 OFFSET 4")
        ).fetchone()
        cursor.execute(
            sql("UPDATE {table} SET actor_email = 'someone@else.org' WHERE id = ?"), [victim]
        )
        db.commit()
    finally:
        db.close()

    broken = run_ketacare("audit", "verify", env=env)
    assert broken.returncode != 0
    assert f"#{victim}" in broken.stderr
    assert "Audit chain intact" not in broken.stdout


@pytest.mark.slow
def test_audit_without_a_subcommand_is_a_usage_error(tmp_path_factory, tmp_path):
    env = ketacare_env(migrated_var_dir(tmp_path_factory, tmp_path))
    result = run_ketacare("audit", env=env)
    assert result.returncode != 0
    assert "verify" in result.stderr
