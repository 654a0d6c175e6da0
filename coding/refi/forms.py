"""The exchange page's upload form."""

from __future__ import annotations

from django import forms

from interviews.uploads import format_size, limits_from_settings


class ExchangeForm(forms.Form):
    """`oversized`: the names of files the upload handler skipped for their size."""

    file = forms.FileField(
        label="File to import",
        help_text="A REFI-QDA project (.qdpx), a codebook (.qdc) or a Taguette project "
        "file (.sqlite3).",
        widget=forms.ClearableFileInput(attrs={"accept": ".qdpx,.qdc,.sqlite3,.sqlite"}),
    )
    preview = forms.BooleanField(
        label="Preview only: show what would be added, renamed and merged, store nothing",
        required=False,
        initial=True,
    )
    codebook_only = forms.BooleanField(
        label="Import only the codebook of a .qdpx (for example when its texts are missing)",
        required=False,
    )

    background = forms.BooleanField(
        label="In the background: a large file imports as a job, and you may leave this page",
        required=False,
    )

    def __init__(self, *args, oversized: list[str] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.oversized = oversized or []
        if self.oversized:
            self.fields["file"].required = False

    def clean(self):
        if self.oversized:
            limit = format_size(limits_from_settings().max_upload_bytes)
            raise forms.ValidationError(
                f"{self.oversized[0]} is too large (the limit is {limit}); "
                "import it with manage.py import_qdpx"
            )
        return super().clean()
