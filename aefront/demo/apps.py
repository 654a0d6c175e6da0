from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo: fictional interviews, a codebook and coded quotes for both apps, loaded by
    `manage.py seed_demo`. It has no models of its own."""

    name = "aefront.demo"
    label = "demo"
    verbose_name = "Demo content"
