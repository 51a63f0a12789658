from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ketacare.core"
    label = "core"
    verbose_name = "KetaCare core"

    def ready(self) -> None:
        from huey.contrib.djhuey import HUEY

        from .worker import register

        register(HUEY)
