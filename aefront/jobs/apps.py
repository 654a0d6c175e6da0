from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "aefront.jobs"
    label = "jobs"
    verbose_name = "Background jobs"
