from django.apps import AppConfig


class ProtocolsConfig(AppConfig):
    name = "ketacare.protocols"
    label = "protocols"
    verbose_name = "Protocols"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from ketacare.accounts.models import Clinic

        from .services import load_defaults_for_new_clinic

        # A new clinic starts with the reference protocols (a clinic creation is one place,
        # Django's admin is another: the signal covers both).
        post_save.connect(
            load_defaults_for_new_clinic, sender=Clinic, dispatch_uid="protocols-defaults"
        )
