from django.apps import AppConfig


class ReportConfig(AppConfig):
    """The report author's room: its models live in `coding.models`; this app holds the
    views, exports and the `export_report` command."""

    name = "coding.report"
    label = "report"
    verbose_name = "Theme summaries and the report"
