from django.urls import path

from . import views

app_name = "treatments"

urlpatterns = [
    path("", views.board, name="board"),
    path("board/live/", views.board_live, name="board_live"),
    path("calendar/", views.calendar, name="calendar"),
    path("sessions/new/", views.schedule, name="schedule"),
    path("sessions/<int:session_id>/", views.session_detail, name="session"),
    path("sessions/<int:session_id>/status/", views.session_status, name="session_status"),
    path("sessions/<int:session_id>/check-in/", views.session_check_in, name="check_in"),
    path("sessions/<int:session_id>/vitals/", views.session_vitals, name="vitals"),
    path("sessions/<int:session_id>/plan/", views.session_plan, name="plan"),
    path("sessions/<int:session_id>/override/", views.session_override, name="override"),
    path("sessions/<int:session_id>/start/", views.session_start, name="start"),
    path("sessions/<int:session_id>/end-dose/", views.session_end_dose, name="end_dose"),
    path("sessions/<int:session_id>/events/", views.session_event, name="event"),
    path("sessions/<int:session_id>/notes/", views.session_note, name="note"),
    path("sessions/<int:session_id>/discharge/", views.session_discharge, name="discharge"),
    path("sessions/<int:session_id>/cancel/", views.session_cancel, name="cancel"),
    path("sessions/<int:session_id>/rems/", views.session_rems, name="rems"),
    path("sessions/<int:session_id>/record.pdf", views.session_record_pdf, name="record_pdf"),
    path("alerts/<int:alert_id>/acknowledge/", views.alert_acknowledge, name="alert_ack"),
    path("patients/", views.patients_in_treatment, name="patients"),
    path("patients/<int:patient_id>/", views.patient_orders, name="patient_orders"),
    path("patients/<int:patient_id>/orders/new/", views.order_create, name="order_create"),
    path("orders/<int:order_id>/", views.order_detail, name="order"),
    path("orders/<int:order_id>/status/", views.order_status, name="order_status"),
    path("mine/", views.my_sessions, name="mine"),
    path("mine/calendar-link/", views.my_calendar_link, name="calendar_link"),
    path("feed/<str:token>.ics", views.ical_feed, name="ical"),
    path("settings/", views.treatment_settings, name="settings"),
    path("settings/chairs/", views.chair_add, name="chair_add"),
    path("settings/chairs/<int:chair_id>/toggle/", views.chair_toggle, name="chair_toggle"),
]
