from django.urls import path

from . import views

app_name = "protocols"

urlpatterns = [
    path("", views.protocol_list, name="list"),
    path("<slug:code>/", views.protocol_detail, name="detail"),
    path("<slug:code>/edit/", views.protocol_edit, name="edit"),
]
