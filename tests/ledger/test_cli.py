"""The real console script: `ketacare ledger verify` exits 0 on an intact ledger and 1 naming
the first bad entry; `ketacare ledger report` writes a file. Run against the test database,
committed (transactional), on whichever backend the suite uses."""

import pytest
from django.db import connection
from django.utils import timezone

from tests.ketacare_process import ketacare_env, run_ketacare


def database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user, host, port = settings["USER"], settings["HOST"] or "127.0.0.1", settings["PORT"] or 5432
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_console_script_verifies_and_names_the_first_edited_entry(world, stock, tmp_path):
    env = ketacare_env(tmp_path, DATABASE_URL=database_url())
    intact = run_ketacare("ledger", "verify", env=env)
    assert intact.returncode == 0, intact.stderr
    assert "Ledger intact: 1 entries" in intact.stdout
    with connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_ledgerentry SET quantity = %s", ["5"])
    broken = run_ketacare("ledger", "verify", env=env)
    assert broken.returncode == 1
    assert f"entry #{stock.receipt.pk}" in broken.stderr and "edited" in broken.stderr


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_console_script_writes_the_period_report(world, stock, tmp_path):
    env = ketacare_env(tmp_path, DATABASE_URL=database_url())
    today = timezone.localdate().isoformat()
    out = tmp_path / "period.pdf"
    result = run_ketacare(
        "ledger", "report", "--from", today, "--to", today, "--format", "pdf",
        "--out", str(out), "--clinic", world.clinic.slug, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert out.read_bytes().startswith(b"%PDF")
