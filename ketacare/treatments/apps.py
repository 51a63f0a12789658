from django.apps import AppConfig


class TreatmentsConfig(AppConfig):
    name = "ketacare.treatments"
    label = "treatments"
    verbose_name = "Treatments"
