"""The audit context outside a request: every `ketacare` command runs in
`audit_context(path="cli:<command line>")` (ketacare/cli.py), every Huey task in
`audit_context(path="worker:<task name>")` (ketacare/core/worker.py), so the audit rows they
write say where they came from, with no command or task setting it itself."""

from __future__ import annotations

import pytest
from django.db import connections
from huey.contrib.djhuey import HUEY

from ketacare.audit.log import record
from ketacare.audit.models import AuditEvent
from ketacare.cli import main
from ketacare.core.context import audit_context, current
from tests.factories import ClinicFactory, UserFactory

pytestmark = pytest.mark.django_db


@HUEY.task()
def note_in_the_audit_log(clinic_id: int) -> str:
    """A task as the worker runs them: it writes an audit row and sets no context itself."""
    record(action="view", obj=("accounts.Clinic", clinic_id), clinic_id=clinic_id, detail="task")
    return current().path


def test_a_cli_command_writes_audit_rows_that_name_the_command_line(capsys, monkeypatch):
    # A command run from the console closes the database connections when it ends; here the
    # test's own connection must survive it.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    main(["demo", "--force"])
    assert "Demo data loaded" in capsys.readouterr().out
    paths = set(AuditEvent.objects.values_list("path", flat=True))
    assert paths == {"cli:demo --force"}
    assert current().path == ""  # the context ends with the command


def test_a_worker_task_writes_audit_rows_that_name_the_task():
    clinic = ClinicFactory()
    note_in_the_audit_log(clinic.pk)
    event = AuditEvent.objects.get(detail="task")
    assert event.path == "worker:note_in_the_audit_log"
    assert (event.actor_id, event.ip) == (None, None)
    assert current().path == ""  # lifted when the task is done


def test_a_task_inherits_no_actor_or_address_from_whoever_queued_it():
    # Immediate mode runs the task inside the caller (here: a request's context); the row
    # must read as the worker's, as it would in production.
    clinic = ClinicFactory()
    nurse = UserFactory(clinic=clinic, role="clinician")
    with audit_context(actor=nurse, ip="203.0.113.9", path="/patients/1/"):
        result = note_in_the_audit_log(clinic.pk)
        assert current().path == "/patients/1/"
    assert result.get() == "worker:note_in_the_audit_log"
    event = AuditEvent.objects.get(detail="task")
    assert (event.actor_id, event.ip, event.path) == (None, None, "worker:note_in_the_audit_log")
