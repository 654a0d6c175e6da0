from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The public API and its personal access tokens."""

    name = "aefront.api"
    label = "api"
    verbose_name = "API"
