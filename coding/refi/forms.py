"""The exchange page's upload form."""

from __future__ import annotations

from django import forms


class ExchangeForm(forms.Form):
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
