"""Waiting-list work for the Huey worker (its emails leave through ketacare.core.tasks):
invitations past their date are expired every hour (their people return to the
list); and, when WAITLIST_AUTO_INVITE is on, the next people are invited every Monday
morning within each program's weekly capacity."""

from __future__ import annotations

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services
from .models import Program


@db_periodic_task(crontab(minute="7"))
def expire_invitations() -> int:
    return services.expire_invitations()


@db_periodic_task(crontab(day_of_week="1", hour="9", minute="0"))
def invite_weekly() -> int:
    if not settings.WAITLIST_AUTO_INVITE:
        return 0
    invited = 0
    for program in Program.objects.select_related("clinic").order_by("id"):
        invited += len(services.invite_next(program=program).invitations)
    return invited
