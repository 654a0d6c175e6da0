"""Forms of the report pages. Each names the field and the reason when input is bad."""

from __future__ import annotations

import dataclasses

from django import forms
from django.contrib.auth import get_user_model

from coding.forms import MAX_ID, StrictIntegerField
from coding.models import Theme
from coding.reading import blind_viewer
from coding.report.authoring import MAX_NARRATIVE_CHARS
from coding.report.exports import EXPORTERS, format_choices
from coding.report.exports.rows import ExportOptions
from coding.report.review import ACTIONS as REVIEW_ACTIONS
from coding.report.summaries import Filters
from coding.report.workspace import SORTS, QuoteFilter
from interviews.models import LocalSystem, OrganisationType, Participant, Project

ACTIONS = ("add", "remove", "up", "down", "top")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class ReportFilterForm(forms.Form):
    """GET filters of the summary page, the preview and the downloads."""

    system = forms.ModelChoiceField(
        queryset=LocalSystem.objects.none(),
        required=False,
        label="Local system",
        empty_label="All systems",
    )
    org_type = forms.ChoiceField(
        choices=[("", "All organisation types"), *OrganisationType.choices],
        required=False,
        label="Organisation type",
    )
    date_from = forms.DateField(required=False, label="Interviewed from", widget=DateInput())
    date_to = forms.DateField(required=False, label="Interviewed to", widget=DateInput())
    coder = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        label="Coded by",
        empty_label="Anyone",
    )

    FIELDS = ("system", "org_type", "date_from", "date_to", "coder")

    def __init__(self, *args, project: Project, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["system"].queryset = LocalSystem.objects.filter(project=project).order_by(
            "name"
        )
        self.fields["coder"].queryset = (
            get_user_model().objects.filter(memberships__project=project).order_by("username")
        )
        self.fields["system"].error_messages["invalid_choice"] = (
            "That local system is not part of this project."
        )
        self.fields["coder"].error_messages["invalid_choice"] = (
            "That person is not a member of this project."
        )
        self.fields["coder"].label_from_instance = lambda user: user.get_username()

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return data

    def filters(self) -> Filters:
        if not self.is_bound or not self.is_valid():
            return Filters()
        data = self.cleaned_data
        return Filters(
            local_system_id=data["system"].pk if data.get("system") else None,
            organisation_type=data.get("org_type") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            coder_id=data["coder"].pk if data.get("coder") else None,
        )

    def filters_for(self, access) -> Filters:
        """The filters with the blind rule's viewer (coding.reading.blind_viewer): what a
        member's pages, downloads and background exports count and list."""
        return dataclasses.replace(self.filters(), viewer_id=blind_viewer(access))


class CellForm(forms.Form):
    """Which chart cell: the theme crossed with one system, organisation type or theme."""

    in_system = forms.ModelChoiceField(queryset=LocalSystem.objects.none(), required=False)
    in_org = forms.ChoiceField(choices=OrganisationType.choices, required=False)
    with_theme = forms.ModelChoiceField(queryset=Theme.objects.none(), required=False)

    def __init__(self, *args, project: Project, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["in_system"].queryset = LocalSystem.objects.filter(project=project)
        self.fields["with_theme"].queryset = Theme.objects.filter(project=project)

    def clean(self) -> dict:
        data = super().clean()
        given = [name for name in ("in_system", "in_org", "with_theme") if data.get(name)]
        if len(given) != 1:
            raise forms.ValidationError("Choose one cell: a local system, an organisation "
                                        "type or a second theme.")  # fmt: skip
        return data

    def cell(self) -> dict:
        data = self.cleaned_data
        return {
            "system": data.get("in_system"),
            "organisation_type": data.get("in_org") or "",
            "with_theme": data.get("with_theme"),
        }


class ExportOptionsForm(forms.Form):
    all_quotes = forms.BooleanField(
        required=False,
        label="Include quotes not yet cleared for publication in the report",
    )
    with_pseudonyms = forms.BooleanField(
        required=False, label="Show participants' pseudonyms (P03) in attributions"
    )
    with_systems = forms.BooleanField(
        required=False, label="Show local system names in attributions"
    )
    with_memos = forms.BooleanField(
        required=False,
        label="Add coders' memos to the quote tables (CSV, XLSX), redacted like the quotes",
    )

    with_contents = forms.BooleanField(
        required=False, label="Add a table of contents (Word document)"
    )
    with_appendix = forms.BooleanField(
        required=False,
        label="Add the table of themes by local system as an appendix (Word document)",
    )

    FIELDS = (
        "all_quotes", "with_pseudonyms", "with_systems", "with_memos", "with_contents",
        "with_appendix",
    )  # fmt: skip

    def options(self) -> ExportOptions:
        if not self.is_bound or not self.is_valid():
            return ExportOptions()
        return ExportOptions(**{name: self.cleaned_data[name] for name in self.FIELDS})


class ExportFormatForm(forms.Form):
    format = forms.ChoiceField(choices=format_choices, label="Format")


class ReviewDecisionForm(forms.Form):
    """One click of the identifier review: what to do with one flagged span of a quote."""

    quote = StrictIntegerField(min_value=1, max_value=MAX_ID, label="Quote")
    text = forms.CharField(max_length=200, label="Flagged text")
    action = forms.ChoiceField(choices=list(REVIEW_ACTIONS.items()), label="Action")
    scope = forms.CharField(required=False, max_length=2000, label="Report scope")


class SignOffForm(forms.Form):
    format = forms.ChoiceField(
        choices=lambda: [(e.key, e.label) for e in EXPORTERS.values() if e.holds == "report"],
        label="Format of the final report",
    )


class NarrativeForm(forms.Form):
    narrative = forms.CharField(
        required=False,
        strip=False,
        max_length=MAX_NARRATIVE_CHARS,
        label="Narrative",
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="Separate paragraphs with a blank line. Names on the redaction list are "
        "replaced when the report is published.",
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class OrderedIdsField(forms.Field):
    """Repeated hidden inputs with the same name, kept in the order they were posted."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[int]:
        if not value:
            return []
        try:
            return [int(item) for item in value]
        except (TypeError, ValueError):
            raise forms.ValidationError("The list contains something that is not an id.") from None


def parse_action(value: str, allowed: tuple[str, ...]) -> tuple[str, int | None]:
    verb, _, raw = value.partition(":")
    if verb == "save":
        return verb, None
    if verb not in allowed or not raw.isdigit():
        raise forms.ValidationError(f"Unknown action “{value[:40]}”.")
    return verb, int(raw)


class HeadlineForm(forms.Form):
    """The headline list as posted: order, what the page showed, and what to do."""

    quote = OrderedIdsField(required=False)
    expected = forms.CharField(required=False, widget=forms.HiddenInput)
    action = forms.CharField(max_length=40)

    def clean_expected(self) -> list[int]:
        raw = self.cleaned_data.get("expected", "")
        parts = [part for part in raw.split(",") if part]
        if not all(part.isdigit() for part in parts):
            raise forms.ValidationError("The page's headline list is malformed; reload it.")
        return [int(part) for part in parts]

    def clean_action(self) -> tuple[str, int | None]:
        return parse_action(self.cleaned_data["action"], ACTIONS)


class ClearanceForm(forms.Form):
    quote = forms.IntegerField(min_value=1)
    cleared = forms.TypedChoiceField(
        choices=[("1", "Cleared"), ("0", "Not cleared")], coerce=lambda value: value == "1"
    )


class ReportOrderForm(forms.Form):
    theme = OrderedIdsField(required=False)
    action = forms.CharField(max_length=40)
    # The page the order list was on, which a plain post goes back to.
    back = forms.ChoiceField(choices=[("preview", "preview"), ("summary", "summary")],
                             required=False)  # fmt: skip

    def clean_action(self) -> tuple[str, int | None]:
        return parse_action(self.cleaned_data["action"], ("up", "down", "top", "remove"))


class RedactionTermForm(forms.Form):
    term = forms.CharField(
        max_length=200,
        label="Name or place",
        help_text="Replaced wherever it appears as a whole word, in any case.",
    )
    replacement = forms.CharField(
        max_length=60,
        required=False,
        label="Replace with",
        initial="[name]",
        help_text="For example [name], [hospital] or [place]. Leave empty for [name].",
    )


class QuoteFilterForm(forms.Form):
    """GET filters and sort of the theme page's quote list."""

    system = forms.ModelChoiceField(
        queryset=LocalSystem.objects.none(), required=False, label="Local system",
        empty_label="All systems",
    )  # fmt: skip
    org_type = forms.ChoiceField(
        choices=[("", "All organisation types"), *OrganisationType.choices],
        required=False,
        label="Organisation type",
    )
    participant = forms.ModelChoiceField(
        queryset=Participant.objects.none(), required=False, label="Participant",
        empty_label="Anyone",
    )  # fmt: skip
    coder = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(), required=False, label="Coded by",
        empty_label="Anyone",
    )  # fmt: skip
    cleared = forms.ChoiceField(
        choices=[("", "Cleared or not"), ("yes", "Cleared"), ("no", "Not cleared")],
        required=False,
        label="Clearance",
    )
    sort = forms.ChoiceField(choices=list(SORTS.items()), required=False, label="Sort by")

    FIELDS = ("system", "org_type", "participant", "coder", "cleared", "sort")

    def __init__(self, *args, project: Project, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["system"].queryset = LocalSystem.objects.filter(project=project).order_by(
            "name"
        )
        self.fields["participant"].queryset = Participant.objects.filter(project=project).order_by(
            "pseudonym"
        )
        self.fields["participant"].label_from_instance = lambda person: person.pseudonym
        self.fields["coder"].queryset = (
            get_user_model().objects.filter(memberships__project=project).order_by("username")
        )
        self.fields["coder"].label_from_instance = lambda user: user.get_username()
        for name, what in (("system", "local system"), ("participant", "participant"),
                           ("coder", "member")):  # fmt: skip
            self.fields[name].error_messages["invalid_choice"] = (
                f"That {what} is not part of this project."
            )

    def chosen(self) -> QuoteFilter:
        if not self.is_bound or not self.is_valid():
            return QuoteFilter()
        data = self.cleaned_data
        return QuoteFilter(
            system_id=data["system"].pk if data.get("system") else None,
            org_type=data.get("org_type") or "",
            participant_id=data["participant"].pk if data.get("participant") else None,
            coder_id=data["coder"].pk if data.get("coder") else None,
            cleared=data.get("cleared") or "",
            sort=data.get("sort") or "date",
        )


BULK_ACTIONS = {
    "clear": "Clear for publication",
    "unclear": "Withdraw clearance",
    "headline": "Add to headlines",
}


class BulkForm(forms.Form):
    """Several quotes of the theme page and one action for all of them."""

    quote = forms.TypedMultipleChoiceField(
        coerce=int, required=True, label="Selected quotes",
        error_messages={"required": "Select at least one quote first."},
    )  # fmt: skip
    action = forms.ChoiceField(choices=list(BULK_ACTIONS.items()), label="Action")

    MAX = 200

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Any id is a candidate; the service checks it belongs to the theme.
        self.fields["quote"].valid_value = lambda value: (
            str(value).isdigit() and len(str(value)) < 13
        )

    def clean_quote(self) -> list[int]:
        ids = list(dict.fromkeys(self.cleaned_data["quote"]))
        if len(ids) > self.MAX:
            raise forms.ValidationError(f"Select at most {self.MAX} quotes at a time.")
        return ids


class InclusionForm(forms.Form):
    """The theme page's switch: this theme in the report, or left out."""

    in_report = forms.TypedChoiceField(
        choices=[("1", "In the report"), ("0", "Left out")],
        coerce=lambda value: value == "1",
        label="In the report",
    )


class ReportContentsForm(forms.Form):
    """The summary page's checklist: the themes ticked are in the report, the rest out."""

    theme = OrderedIdsField(required=False)


def report_forms(data, project) -> tuple[ReportFilterForm, ExportOptionsForm]:
    """The report's filters and publishing options from a query (a page's, or one a
    background export kept); each form is bound only when the query names its fields."""
    bound = any(name in data for name in ReportFilterForm.FIELDS)
    form = ReportFilterForm(data if bound else None, project=project)
    options = ExportOptionsForm(data if any(n in data for n in ExportOptionsForm.FIELDS) else None)
    return form, options
