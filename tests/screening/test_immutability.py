"""Assessment answers are immutable: no update path in the application, and the database
refuses an UPDATE (and, on PostgreSQL, a DELETE) behind its back."""

import pytest
from django.db import DatabaseError, connection, transaction

from ketacare.screening import services
from ketacare.screening.models import AppendOnlyError, Assessment, AssessmentContext, RouteDecision


@pytest.fixture
def assessment(world):
    stored, _ = services.record_assessment(
        actor=world.clinician,
        patient=world.patient,
        instrument="gad7",
        answers=[1] * 7,
        context=AssessmentContext.REVIEW,
    )
    return stored


def test_saving_a_stored_assessment_again_is_refused(assessment):
    assessment.answers = [3] * 7
    with pytest.raises(AppendOnlyError):
        assessment.save()
    assessment.refresh_from_db()
    assert assessment.answers == [1] * 7


def test_queryset_updates_and_deletes_are_refused(assessment):
    with pytest.raises(AppendOnlyError):
        Assessment.objects.filter(pk=assessment.pk).update(total=0)
    with pytest.raises(AppendOnlyError):
        Assessment.objects.bulk_update([assessment], ["total"])
    with pytest.raises(AppendOnlyError):
        Assessment.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        assessment.delete()
    assert Assessment.objects.get().total == 7


def test_the_database_refuses_an_update_behind_the_applications_back(assessment):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE screening_assessment SET answers = '[3,3,3,3,3,3,3]'")
    assert Assessment.objects.get().answers == [1] * 7


def test_the_database_guards_deletes_too_where_it_can(assessment):
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM screening_assessment")
    # Everywhere, the patient's record cannot be deleted while it has assessments.
    with pytest.raises(Exception, match="protected"):
        assessment.patient.delete()
    assert Assessment.objects.count() == 1


def test_a_correction_leaves_the_original_untouched(world, assessment):
    correction, _ = services.correct_assessment(
        actor=world.prescriber, assessment=assessment, answers=[2] * 7, reason="Typo."
    )
    assessment.refresh_from_db()
    assert assessment.total == 7 and correction.corrects_id == assessment.pk
    assert assessment.correction == correction


def test_the_database_insists_a_correction_has_a_reason(world, assessment):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.create(
            patient=world.patient,
            instrument="gad7",
            instrument_version="x",
            answers=[0] * 7,
            total=0,
            context="correction",
            completed_by=world.clinician,
            completed_at=assessment.completed_at,
            recorded_at=assessment.recorded_at,
            corrects=assessment,
            correction_reason="",
        )


def test_route_decisions_are_append_only_too(world):
    with pytest.raises(AppendOnlyError):
        RouteDecision.objects.all().update(decision="approve")
