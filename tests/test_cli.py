"""The `ketacare` console script: demo data, the task worker and the server, through
call_command and as real processes."""

import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ketacare.accounts.models import Clinic, Role, User
from ketacare.audit.models import AuditEvent
from ketacare.patients.models import Diagnosis, Patient, WeightMeasurement
from ketacare.web.demo import DEMO_PASSWORD
from tests.ketacare_process import (
    KETACARE,
    ketacare_env,
    migrated_var_dir,
    processes_using,
    run_ketacare,
)

DEMO_LOGINS = {
    "admin@demo.ketacare": Role.ADMIN,
    "prescriber@demo.ketacare": Role.PRESCRIBER,
    "clinician@demo.ketacare": Role.CLINICIAN,
    "monitor@demo.ketacare": Role.MONITOR,
    "patient@demo.ketacare": Role.PATIENT,
}


def demo_counts():
    return (Clinic.objects.count(), User.objects.count(), Patient.objects.count(),
            WeightMeasurement.objects.count(), Diagnosis.objects.count(),
            AuditEvent.objects.count())  # fmt: skip


# --- ketacare demo


@pytest.mark.django_db
def test_demo_creates_the_clinic_and_one_login_per_role():
    call_command("demo", force=True)
    clinic = Clinic.objects.get(name="Demo Ketamine Clinic")
    for email, role in DEMO_LOGINS.items():
        user = User.objects.get(email=email)
        assert user.role == role and user.clinic == clinic
        assert user.check_password(DEMO_PASSWORD)
        assert user.mfa_exempt and not user.mfa_required
        assert user.is_staff == (role == Role.ADMIN)


@pytest.mark.django_db
def test_demo_patients_have_weights_and_diagnoses_and_one_is_the_patient_login():
    call_command("demo", force=True)
    clinic = Clinic.objects.get(name="Demo Ketamine Clinic")
    patients = Patient.objects.filter(clinic=clinic)
    assert patients.count() >= 4
    for patient in patients:
        assert patient.weights.exists() and patient.diagnoses.exists()
    own = Patient.objects.get(user__email="patient@demo.ketacare")
    assert list(own.monitors.values_list("email", flat=True)) == ["monitor@demo.ketacare"]
    assert User.objects.get(email="monitor@demo.ketacare").monitored_patients.count() == 1


@pytest.mark.django_db
def test_demo_writes_are_audited_as_demo_data_without_an_actor():
    call_command("demo", force=True)
    clinic = Clinic.objects.get(name="Demo Ketamine Clinic")
    events = AuditEvent.objects.all()
    assert events.count() >= 5 + Patient.objects.count()
    assert set(events.values_list("detail", flat=True)) == {"demo data"}
    assert set(events.values_list("actor_id", flat=True)) == {None}
    assert set(events.values_list("clinic_id", flat=True)) == {clinic.pk}
    own = Patient.objects.get(user__email="patient@demo.ketacare")
    assert events.filter(action="create", patient_id=own.pk, model="patients.Patient").exists()
    call_command("audit", "verify")


@pytest.mark.django_db
def test_loading_the_demo_twice_duplicates_nothing(capsys):
    call_command("demo", force=True)
    before = demo_counts()
    call_command("demo", force=True)
    assert demo_counts() == before
    assert "nothing to change" in capsys.readouterr().out


@pytest.mark.django_db
def test_loading_the_demo_again_restores_what_was_changed():
    call_command("demo", force=True)
    clinician = User.objects.get(email="clinician@demo.ketacare")
    clinician.set_password("something-else-entirely")
    clinician.mfa_exempt = False
    clinician.save()
    Patient.objects.get(user=clinician.clinic.users.get(role=Role.PATIENT)).monitors.clear()
    call_command("demo", force=True)
    clinician.refresh_from_db()
    assert clinician.check_password(DEMO_PASSWORD) and clinician.mfa_exempt
    assert Patient.objects.get(user__email="patient@demo.ketacare").monitors.count() == 1


@pytest.mark.django_db
def test_demo_is_refused_with_debug_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off.*--force"):
        call_command("demo")
    assert not User.objects.exists()


@pytest.mark.django_db
def test_demo_loads_without_force_when_debug_is_on(settings):
    settings.DEBUG = True
    call_command("demo")
    assert User.objects.filter(email__endswith="@demo.ketacare").count() == 5


def test_if_empty_leaves_a_database_with_users_alone(world, capsys):
    call_command("demo", if_empty=True, force=True)
    assert not Clinic.objects.filter(name="Demo Ketamine Clinic").exists()
    assert "not loaded" in capsys.readouterr().out


@pytest.mark.django_db
def test_if_empty_loads_into_an_empty_database():
    call_command("demo", if_empty=True, force=True)
    assert User.objects.filter(email__endswith="@demo.ketacare").count() == 5


@pytest.mark.django_db
def test_demo_logins_sign_in_without_being_asked_for_mfa(client):
    call_command("demo", force=True)
    for email in DEMO_LOGINS:
        client.logout()
        for _ in range(2):  # MFA enrolment would be demanded from the second login on
            response = client.post(
                "/accounts/login/", {"username": email, "password": DEMO_PASSWORD}
            )
            assert response.status_code == 302, email
        # Straight to their home page: no redirect to MFA enrolment or verification.
        assert client.get("/").status_code == 200, email


@pytest.mark.slow
def test_demo_as_a_process_is_refused_with_debug_off(tmp_path_factory, tmp_path):
    env = ketacare_env(migrated_var_dir(tmp_path_factory, tmp_path), DEBUG="0")
    refused = run_ketacare("demo", env=env)
    assert refused.returncode != 0
    assert "--force" in refused.stderr
    loaded = run_ketacare("demo", env={**env, "DEBUG": "1"})
    assert loaded.returncode == 0, loaded.stderr
    assert "patient@demo.ketacare" in loaded.stdout and DEMO_PASSWORD in loaded.stdout


@pytest.mark.slow
def test_ketacare_without_arguments_lists_the_commands(tmp_path):
    result = run_ketacare(env=ketacare_env(tmp_path))
    assert result.returncode == 0
    for command in ("serve", "worker", "demo", "audit", "migrate"):
        assert command in result.stdout


# --- processes: helpers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def process_groups() -> dict[int, int]:
    """pid → process group id, for every process on the machine."""
    groups = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError, IndexError):
                continue
            groups[int(entry.name)] = int(fields[2])
    return groups


def descendants(pid: int) -> set[int]:
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError, IndexError):
                continue
            parents[int(entry.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def wait_for_health(url: str, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"serve exited early with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} did not answer 200 within {timeout} s")


def stop(proc: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 45) -> int:
    proc.send_signal(sig)
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise


# --- ketacare worker


@pytest.mark.slow
def test_worker_starts_and_stops_cleanly_on_sigterm(tmp_path_factory, tmp_path):
    env = ketacare_env(migrated_var_dir(tmp_path_factory, tmp_path))
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        proc = subprocess.Popen([KETACARE, "worker"], env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 30
            while "consumer started" not in log.read_text() and time.monotonic() < deadline:
                assert proc.poll() is None, log.read_text()
                time.sleep(0.2)
            assert "consumer started" in log.read_text()
            assert "2 thread" in log.read_text()  # settings.HUEY["consumer"]["workers"]
            time.sleep(1)
            assert stop(proc, timeout=30) == 0, log.read_text()
        finally:
            if proc.poll() is None:
                proc.kill()
    output = log.read_text()
    assert "Shutting down gracefully" in output
    assert output.count("consumer started") == 1  # logged once, not twice


# --- ketacare serve


@pytest.mark.slow
@pytest.mark.parametrize(
    ("debug", "extra"),
    [("1", []), ("0", []), ("1", ["--dev"])],
    ids=["gunicorn-debug", "gunicorn-production-settings", "dev-server"],
)
def test_serve_answers_healthz_and_stops_with_all_its_children(
    tmp_path_factory, tmp_path, debug, extra
):
    var = migrated_var_dir(tmp_path_factory, tmp_path)
    env = ketacare_env(var, DEBUG=debug)
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [KETACARE, "serve", "--port", str(port), "--workers", "1", *extra],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            wait_for_health(f"http://127.0.0.1:{port}/healthz", proc)
            children = descendants(proc.pid)
            groups = {pid for pid, group in process_groups().items() if group in children}
            commands = " ".join(
                Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")
                for pid in children
                if alive(pid)
            )
            assert " worker" in commands  # the task consumer runs beside the web server
            assert ("runserver" if extra else "gunicorn") in commands
            assert stop(proc) == 0, log.read_text()
        finally:
            if proc.poll() is None:
                proc.kill()
    time.sleep(0.5)
    leftovers = {pid for pid in children | groups if alive(pid)} | processes_using(var)
    assert not leftovers, f"still running after serve exited: {leftovers}\n{log.read_text()}"
    output = log.read_text()
    assert "Received SIGTERM" in output and "KetaCare stopped." in output
    if debug == "0":
        # Production settings use the manifest storage: serve collected the static files.
        assert (var / "static" / "staticfiles.json").exists()


@pytest.mark.slow
def test_serve_exits_nonzero_when_the_web_server_cannot_start(tmp_path_factory, tmp_path):
    env = ketacare_env(migrated_var_dir(tmp_path_factory, tmp_path), DEBUG="1")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = subprocess.Popen(
            [KETACARE, "serve", "--port", str(port), "--workers", "1"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        try:
            output, _ = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode != 0
    assert "web server exited" in output
    assert not processes_using(tmp_path), "the task worker was left running"


@pytest.mark.slow
def test_children_stop_too_when_serve_itself_is_killed(tmp_path_factory, tmp_path):
    env = ketacare_env(migrated_var_dir(tmp_path_factory, tmp_path), DEBUG="1")
    port = free_port()
    proc = subprocess.Popen(
        [KETACARE, "serve", "--port", str(port), "--workers", "1"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for_health(f"http://127.0.0.1:{port}/healthz", proc)
        children = descendants(proc.pid)
        assert children
        proc.kill()  # no chance to pass the signal on: the kernel tells the children
        proc.wait(timeout=10)
        deadline = time.monotonic() + 40
        while {pid for pid in children if alive(pid)} and time.monotonic() < deadline:
            time.sleep(0.3)
        assert not {pid for pid in children if alive(pid)}
        assert not processes_using(tmp_path)
    finally:
        if proc.poll() is None:
            proc.kill()
