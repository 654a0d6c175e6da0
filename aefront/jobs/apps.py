from importlib import import_module

from django.apps import AppConfig
from django.conf import settings


class JobsConfig(AppConfig):
    name = "aefront.jobs"
    label = "jobs"
    verbose_name = "Background jobs"

    def ready(self) -> None:
        # Modules named by EXTRA_JOB_KINDS register their kinds on import (tests only).
        for module in settings.AEFRONT_EXTRA_JOB_KINDS:
            import_module(module)
