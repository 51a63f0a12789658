from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "ketacare.screening"
    label = "screening"
    verbose_name = "Screening"
