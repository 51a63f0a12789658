"""Running the real `ketacare` console script in a subprocess, against its own var/ directory
and SQLite file, as an operator would from a shell."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

# The console script installed next to the interpreter running the tests (.venv/bin).
KETACARE = str(Path(sys.executable).with_name("ketacare"))
# Settings that must come from the test, never from the shell that started pytest.
_SCRUBBED = ("DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "KETACARE_VAR_DIR",
             "DJANGO_SETTINGS_MODULE", "ALLOWED_HOSTS", "HUEY_IMMEDIATE")  # fmt: skip
_TEMPLATES: dict[str, Path] = {}


def ketacare_env(var_dir: Path, **overrides: str) -> dict[str, str]:
    # DJANGO_* too: e.g. DJANGO_ALLOW_ASYNC_UNSAFE, which the browser tests set in-process.
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in _SCRUBBED and not key.startswith("DJANGO_")
    }
    env.update(
        KETACARE_VAR_DIR=str(var_dir),
        DATABASE_URL=f"sqlite:///{var_dir / 'ketacare.sqlite3'}",
        DEBUG="0",
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


def run_ketacare(
    *args: str, env: dict[str, str], timeout: float = 120, check: bool = False
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [KETACARE, *args], env=env, capture_output=True, text=True, timeout=timeout
    )
    if check and result.returncode != 0:
        command = " ".join(args)
        output = f"{result.stdout}\n{result.stderr}"
        raise AssertionError(f"ketacare {command} exited {result.returncode}:\n{output}")
    return result


def migrated_var_dir(tmp_path_factory, tmp_path: Path) -> Path:
    """`tmp_path` holding a migrated SQLite database. Migrated once per test run: the first
    xdist worker to get here migrates a template under a lock, the others copy it."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # shared by the workers of this run
    template = root / "migrated-template"
    if str(template) not in _TEMPLATES:
        with (root / "migrated-template.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not (template / "done").exists():
                template.mkdir(exist_ok=True)
                run_ketacare("migrate", "--noinput", "-v", "0", env=ketacare_env(template),
                             check=True)  # fmt: skip
                (template / "done").touch()
        _TEMPLATES[str(template)] = template
    for name in ("ketacare.sqlite3", "ketacare.sqlite3-wal", "ketacare.sqlite3-shm"):
        source = template / name
        if source.exists():
            shutil.copy(source, tmp_path / name)
    return tmp_path


def processes_using(var_dir: Path) -> set[int]:
    """Live processes started with KETACARE_VAR_DIR=var_dir (every child of a `ketacare`
    process run with ketacare_env(var_dir) inherits it)."""
    marker = f"KETACARE_VAR_DIR={var_dir}".encode() + b"\0"
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError, PermissionError, IndexError):
            continue
        if state != "Z" and (b"\0" + environ).find(b"\0" + marker) != -1:
            found.add(int(entry.name))
    return found
