from django.apps import AppConfig


class PublicConfig(AppConfig):
    # Not "site": django.contrib.sites owns that label.
    name = "ketacare.public"
    label = "public"
    verbose_name = "Public site"
