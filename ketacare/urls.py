"""URL map. Every pattern here is walked by tests/test_permission_matrix.py."""

from django.contrib import admin
from django.urls import include, path

from ketacare.accounts.urls import urlpatterns as accounts_urlpatterns
from ketacare.api.routers import api  # the API with every app's router mounted
from ketacare.patients import views as patients_views
from ketacare.web import views as web_views

admin.site.site_header = "KetaCare administration"
admin.site.site_title = "KetaCare admin"

# The patient-portal invitation is the patient record's (patients sits above accounts, which
# never imports it) but keeps its address and name: /accounts/patients/<id>/invite/.
accounts_urls = [
    *accounts_urlpatterns,
    path(
        "patients/<int:patient_id>/invite/",
        patients_views.invite_to_portal,
        name="invite_patient",
    ),
]

urlpatterns = [
    path("healthz", web_views.healthz, name="healthz"),
    path("accounts/", include((accounts_urls, "accounts"))),
    path("patients/", include("ketacare.patients.urls")),
    path("screening/", include("ketacare.screening.urls")),
    path("audit/", include("ketacare.audit.urls")),
    path("ledger/", include("ketacare.ledger.urls")),
    path("protocols/", include("ketacare.protocols.urls")),
    path("treatments/", include("ketacare.treatments.urls")),
    path("waitlist/", include("ketacare.waitlist.urls")),
    path("api/v1/", api.urls),
    path("django-admin/", admin.site.urls),
    path("", include("ketacare.public.urls")),
    path("", include("ketacare.web.urls")),
]

handler400 = "ketacare.web.views.bad_request"
handler403 = "ketacare.web.views.permission_denied"
handler404 = "ketacare.web.views.page_not_found"
handler500 = "ketacare.web.views.server_error"
