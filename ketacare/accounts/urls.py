from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
]
urlpatterns += [
    path("security/", views.security, name="security"),
    path("staff/", views.staff_list, name="staff_list"),
]
