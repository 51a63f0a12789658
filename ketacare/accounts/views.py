"""Sign in and out."""

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters

from ketacare.audit.log import record

from .forms import LoginForm


@method_decorator(sensitive_post_parameters("password"), name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: LoginForm) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        type(user).objects.filter(pk=user.pk).update(login_count=user.login_count + 1)
        user.login_count += 1
        record(actor=user, action="login", obj=user, request=self.request)
        return response


class LogoutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.user.is_authenticated:
            record(actor=request.user, action="logout", obj=request.user, request=request)
        return super().post(request, *args, **kwargs)


# Placeholders replaced by the MFA/tokens and staff-invitation work.
from django.contrib.auth.decorators import login_required  # noqa: E402
from django.shortcuts import render  # noqa: E402

from .models import Role  # noqa: E402
from .permissions import role_required  # noqa: E402


@login_required
def security(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/security.html", {})


@role_required(Role.ADMIN)
def staff_list(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/staff_list.html", {})
