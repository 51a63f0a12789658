from django.apps import AppConfig


class WaitlistConfig(AppConfig):
    name = "ketacare.waitlist"
    label = "waitlist"
    verbose_name = "Waiting list"
