from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ketacare.accounts.permissions import MANAGE_CLINIC, action_required


@action_required(MANAGE_CLINIC)
def audit_log(request: HttpRequest) -> HttpResponse:
    return render(request, "audit/log.html", {})
