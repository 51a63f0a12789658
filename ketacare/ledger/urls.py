from django.urls import path

from . import views

app_name = "ledger"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("entries/", views.entry_list, name="entries"),
    path("entries/<int:entry_id>/", views.entry_detail, name="entry_detail"),
    path("entries/<int:entry_id>/correct/", views.correct_entry, name="correct"),
    path("receive/", views.receive, name="receive"),
    path("transfer/", views.transfer, name="transfer"),
    path("administer/", views.administer, name="administer"),
    path("dispense/", views.dispense, name="dispense"),
    path("waste/", views.waste, name="waste"),
    path("return/", views.return_to_supplier, name="return"),
    path("dispose/", views.dispose, name="dispose"),
    path("loss/", views.report_loss, name="loss"),
    path("counts/", views.count_list, name="counts"),
    path("counts/new/", views.count_create, name="count_create"),
    path("counts/<int:count_id>/", views.count_detail, name="count_detail"),
    path("investigations/", views.investigation_list, name="investigations"),
    path(
        "investigations/<int:investigation_id>/",
        views.investigation_detail,
        name="investigation_detail",
    ),
    path("losses/", views.loss_list, name="losses"),
    path("losses/<int:case_id>/", views.loss_detail, name="loss_detail"),
    path("products/", views.products, name="products"),
    path("locations/", views.locations, name="locations"),
    path("settings/", views.ledger_settings, name="settings"),
    path("reports/", views.reports_index, name="reports"),
    path("reports/period/", views.period_report, name="report_period"),
    path("reports/lot/", views.lot_report, name="report_lot"),
    path("reports/patient/", views.patient_report, name="report_patient"),
    path("reports/staff/", views.staff_report, name="report_staff"),
]
