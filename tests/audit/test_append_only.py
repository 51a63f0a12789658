"""The application has no way to change or remove an audit row."""

import pytest

from ketacare.audit.log import record
from ketacare.audit.models import AppendOnlyError, AuditEvent


@pytest.fixture
def event(world):
    return record(actor=world.clinician, action="view", obj=world.patient, patient=world.patient)


def test_saving_an_existing_row_is_refused(event):
    event.detail = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).detail == ""


def test_deleting_a_row_is_refused(event):
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_updating_through_a_queryset_is_refused(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(detail="rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().update(outcome="denied")


def test_deleting_through_a_queryset_is_refused(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_bulk_update_and_bulk_create_are_refused(event):
    event.detail = "rewritten"
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_update([event], ["detail"])
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_create([AuditEvent(action="view", prev_hash="0", hash="1")])
    assert AuditEvent.objects.count() == 1
