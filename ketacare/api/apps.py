from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "ketacare.api"
    label = "api"
