from django.urls import path

from . import views

app_name = "public"

urlpatterns = [
    path("pages/<slug:slug>/", views.page, name="page"),
    path("contact/", views.contact, name="contact"),
    path("contact/thanks/", views.contact_thanks, name="contact_thanks"),
    path("contact/inbox/", views.inbox, name="inbox"),
    path("contact/inbox/<int:message_id>/", views.inbox_message, name="inbox_message"),
    path("contact/inbox/<int:message_id>/status/", views.inbox_status, name="inbox_status"),
]
