from django.urls import path

from . import views

app_name = "waitlist"

urlpatterns = [
    # Public
    path("", views.signup, name="signup"),
    path("thanks/", views.thanks, name="thanks"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("status/<str:token>/", views.status, name="status"),
    path("status/<str:token>/edit/", views.edit, name="edit"),
    path("status/<str:token>/leave/", views.leave, name="leave"),
    path("left/", views.left, name="left"),
    path("invitation/<str:token>/", views.invitation, name="invitation"),
    # Staff
    path("board/", views.board, name="board"),
    path("board/export.csv", views.export, name="export"),
    path("board/bulk/", views.bulk, name="bulk"),
    path("board/invite-next/", views.invite_next, name="invite_next"),
    path("board/<int:entry_id>/", views.entry, name="entry"),
    path("board/<int:entry_id>/action/", views.entry_action, name="entry_action"),
    path("programs/<int:program_id>/", views.program_settings, name="program"),
]
