from django.urls import path

from . import views

app_name = "screening"

urlpatterns = [
    # The patient's own pages
    path("intake/", views.intake, name="intake"),
    path("intake/steps/<slug:step>/", views.intake_step, name="intake_step"),
    path("intake/questionnaires/<slug:code>/", views.intake_instrument, name="intake_instrument"),
    path("crisis/", views.crisis, name="crisis"),
    path("consent/<slug:kind>/", views.consent, name="consent"),
    path("me/", views.mine, name="mine"),
    path("me/requests/<int:request_id>/respond/", views.respond_request, name="respond_request"),
    path("me/questionnaires/<slug:code>/", views.my_assessment, name="my_assessment"),
    # Staff
    path("", views.worklist, name="worklist"),
    path("patients/<int:patient_id>/", views.summary, name="summary"),
    path("patients/<int:patient_id>/start/", views.start, name="start"),
    path("patients/<int:patient_id>/notes/", views.add_note, name="add_note"),
    path("patients/<int:patient_id>/requests/", views.add_request, name="add_request"),
    path("patients/<int:patient_id>/findings/", views.findings, name="findings"),
    path("patients/<int:patient_id>/decisions/", views.decide, name="decide"),
    path("patients/<int:patient_id>/reevaluations/", views.reevaluate, name="reevaluate"),
    path(
        "patients/<int:patient_id>/instruments/<slug:code>/",
        views.staff_instrument,
        name="staff_instrument",
    ),
    path("requests/<int:request_id>/close/", views.close_request, name="close_request"),
    path("assessments/<int:assessment_id>/", views.assessment_detail, name="assessment"),
    path("assessments/<int:assessment_id>/correct/", views.correct, name="correct"),
    path("tasks/<int:task_id>/", views.resolve_task, name="resolve_task"),
    # Clinic administration
    path("settings/", views.clinic_settings, name="settings"),
    path("consent-documents/", views.consent_documents, name="consent_documents"),
    path("consent-documents/<int:document_id>/", views.consent_document, name="consent_document"),
]
