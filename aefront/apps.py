from django.apps import AppConfig


class AefrontConfig(AppConfig):
    """The project itself as an app: its management commands and signal receivers."""

    name = "aefront"
    verbose_name = "aefront"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from aefront import metrics, session_timeout

        user_logged_in.connect(session_timeout.start, dispatch_uid="aefront-session-start")
        metrics.register()
