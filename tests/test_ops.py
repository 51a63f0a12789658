"""Operations: the health check, the deployment checklist with production settings, the
generated secret key, and settings read from the environment."""

import json
import secrets
import stat
import subprocess
import sys
from unittest import mock

import pytest
from django.db import DatabaseError, OperationalError, connection

from tests.ketacare_process import ketacare_env, run_ketacare

# --- GET /healthz


@pytest.mark.django_db
def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
@pytest.mark.parametrize("error", [OperationalError, DatabaseError])
def test_healthz_answers_503_when_the_database_does_not(client, error):
    with mock.patch.object(connection, "cursor", side_effect=error("connection refused")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unreachable"}


@pytest.mark.django_db
def test_healthz_only_answers_get(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_healthz_is_reachable_over_plain_http_behind_the_https_redirect(client, settings):
    # Load balancers probe over plain HTTP; everything else is sent to HTTPS.
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    redirected = client.get("/accounts/login/")
    assert redirected.status_code == 301
    assert redirected["Location"].startswith("https://")


# --- settings, as a fresh process sees them


def settings_seen(env: dict[str, str], *names: str) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {list(names)!r}}}, "
        "default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env={**env, "DJANGO_SETTINGS_MODULE": "ketacare.settings"},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def production_env(tmp_path, **overrides):
    return ketacare_env(tmp_path, DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50), **overrides)


@pytest.mark.slow
def test_check_deploy_reports_nothing_with_debug_off_and_a_real_secret_key(tmp_path):
    result = run_ketacare(
        "check", "--deploy", "--fail-level", "WARNING", env=production_env(tmp_path)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.slow
def test_check_deploy_is_also_clean_with_the_generated_secret_key(tmp_path):
    env = ketacare_env(tmp_path, DEBUG="0")
    result = run_ketacare("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_check_deploy_does_complain_with_debug_on(tmp_path):
    # The check above proves something only if the checklist does look at these settings.
    env = ketacare_env(tmp_path, DEBUG="1", SECRET_KEY=secrets.token_urlsafe(50))
    result = run_ketacare("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "security.W018" in result.stderr + result.stdout


@pytest.mark.slow
def test_a_secret_key_is_generated_into_var_once_and_kept(tmp_path):
    env = ketacare_env(tmp_path)
    first = settings_seen(env, "SECRET_KEY")["SECRET_KEY"]
    key_file = tmp_path / "secret_key"
    assert key_file.read_text().strip() == first
    assert len(first) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert settings_seen(env, "SECRET_KEY")["SECRET_KEY"] == first
    assert not list(tmp_path.glob(".secret_key.*"))  # no staging file left behind


@pytest.mark.slow
def test_a_secret_key_from_the_environment_wins_and_nothing_is_written(tmp_path):
    key = secrets.token_urlsafe(50)
    assert settings_seen(ketacare_env(tmp_path, SECRET_KEY=key), "SECRET_KEY") == {
        "SECRET_KEY": key
    }
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.slow
def test_production_settings_force_https_secure_cookies_and_hsts(tmp_path):
    seen = settings_seen(
        production_env(tmp_path), "DEBUG", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SESSION_COOKIE_HTTPONLY", "STORAGES",
    )  # fmt: skip
    assert seen["DEBUG"] is False
    assert seen["SECURE_SSL_REDIRECT"] and seen["SESSION_COOKIE_SECURE"]
    assert seen["CSRF_COOKIE_SECURE"] and seen["SESSION_COOKIE_HTTPONLY"]
    assert seen["SECURE_HSTS_SECONDS"] >= 31536000 and seen["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert "Manifest" in seen["STORAGES"]["staticfiles"]["BACKEND"]


@pytest.mark.slow
def test_debug_settings_suit_a_plain_http_laptop(tmp_path):
    seen = settings_seen(
        ketacare_env(tmp_path, DEBUG="1"), "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE",
        "STORAGES",
    )  # fmt: skip
    assert not seen["SECURE_SSL_REDIRECT"] and not seen["SESSION_COOKIE_SECURE"]
    assert "Manifest" not in seen["STORAGES"]["staticfiles"]["BACKEND"]


@pytest.mark.slow
def test_sqlite_in_var_is_the_default_database(tmp_path):
    env = ketacare_env(tmp_path)
    del env["DATABASE_URL"]
    db = settings_seen(env, "DATABASES")["DATABASES"]["default"]
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == str(tmp_path / "ketacare.sqlite3")
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]


@pytest.mark.slow
def test_database_url_selects_postgresql(tmp_path):
    env = ketacare_env(tmp_path, DATABASE_URL="postgres://kc:secret@db.internal:5433/clinic")
    db = settings_seen(env, "DATABASES")["DATABASES"]["default"]
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["HOST"], db["PORT"], db["NAME"], db["USER"]) == ("db.internal", 5433, "clinic", "kc")
    assert db["CONN_HEALTH_CHECKS"] is True


@pytest.mark.slow
def test_redis_url_moves_tasks_and_cache_to_redis(tmp_path):
    env = ketacare_env(tmp_path, REDIS_URL="redis://cache.internal:6379/2")
    seen = settings_seen(env, "HUEY", "CACHES")
    assert seen["HUEY"]["huey_class"] == "huey.RedisHuey"
    assert seen["HUEY"]["url"] == "redis://cache.internal:6379/2"
    assert seen["CACHES"]["default"]["BACKEND"].endswith("RedisCache")


@pytest.mark.slow
def test_without_redis_tasks_queue_in_a_sqlite_file_in_var(tmp_path):
    seen = settings_seen(ketacare_env(tmp_path), "HUEY")
    assert seen["HUEY"]["huey_class"] == "huey.SqliteHuey"
    assert seen["HUEY"]["filename"] == str(tmp_path / "huey.sqlite3")
    assert seen["HUEY"]["consumer"]["graceful_signal"] == "TERM"
