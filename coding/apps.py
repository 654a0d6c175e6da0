from django.apps import AppConfig


class CodingConfig(AppConfig):
    name = "coding"
    verbose_name = "Coding and themes"

    def ready(self) -> None:
        from coding import hooks, jobs

        hooks.connect()
        jobs.connect()
