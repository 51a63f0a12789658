from django.urls import path

from . import views

app_name = "patients"

urlpatterns = [
    path("", views.patient_list, name="list"),
    path("new/", views.patient_create, name="create"),
    path("me/", views.my_record, name="me"),
    path("<int:patient_id>/", views.patient_detail, name="detail"),
    path("<int:patient_id>/edit/", views.patient_edit, name="edit"),
    path("<int:patient_id>/weights/", views.add_weight, name="add_weight"),
    path("<int:patient_id>/diagnoses/", views.add_diagnosis, name="add_diagnosis"),
]
