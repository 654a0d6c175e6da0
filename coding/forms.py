"""Forms that bind the coding endpoints' input, from JSON or from a form post.

JSON keeps its types, so offsets must arrive as JSON integers: a string, a float,
`true` or `null` is refused. A form post can only send strings, so there (and only
there) a string of decimal digits counts as a whole number.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from coding.models import MAX_MEMO_CHARS
from coding.services import MAX_THEME_NAME_CHARS, STEPS

DIGITS = re.compile(r"[0-9]{1,20}")
# Lone UTF-16 surrogates ("\ud800" in JSON) cannot be stored as UTF-8 text.
SURROGATE = re.compile("[\ud800-\udfff]")
MAX_ID = 2**63 - 1  # the largest id a database row can have


class StrictIntegerField(forms.Field):
    """A whole number: a JSON integer, or (in a form post) a string of digits."""

    def __init__(
        self,
        *,
        json_mode: bool = False,
        min_value: int | None = None,
        max_value: int | None = None,
        **kwargs: Any,
    ) -> None:
        self.json_mode = json_mode
        self.min_value, self.max_value = min_value, max_value
        super().__init__(**kwargs)

    def validate(self, value: int | None) -> None:
        super().validate(value)
        if value is None:
            return
        if (self.min_value is not None and value < self.min_value) or (
            self.max_value is not None and value > self.max_value
        ):
            raise ValidationError("is not an id that can exist.", code="invalid")

    def to_python(self, value: Any) -> int | None:
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise ValidationError("must be a whole number, not true/false.", code="invalid")
        if isinstance(value, int):
            return value
        if isinstance(value, str) and not self.json_mode and DIGITS.fullmatch(value):
            return int(value)
        if isinstance(value, float):
            raise ValidationError("must be a whole number, not a decimal.", code="invalid")
        raise ValidationError("must be a whole number.", code="invalid")


class StrictTextField(forms.CharField):
    """Text that is kept exactly as sent (no stripping) and must be a string in JSON."""

    def __init__(self, *, json_mode: bool = False, **kwargs: Any) -> None:
        self.json_mode = json_mode
        kwargs.setdefault("strip", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        if value is not None and not isinstance(value, str):
            raise ValidationError("must be text.", code="invalid")
        if value and SURROGATE.search(value):
            raise ValidationError(
                "holds a broken character (a lone UTF-16 surrogate).", code="invalid"
            )
        return super().to_python(value)


class IdListField(forms.Field):
    """A list of ids: a JSON array of integers, or repeated form fields of digits."""

    def __init__(self, *, json_mode: bool = False, **kwargs: Any) -> None:
        self.json_mode = json_mode
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> list[int]:
        if value in (None, "", []):
            return []
        if not isinstance(value, list | tuple):
            value = [value]
        if len(value) > 50:
            raise ValidationError("at most 50 themes at once.", code="invalid")
        number = StrictIntegerField(json_mode=self.json_mode)
        ids = []
        for item in value:
            parsed = number.to_python(item)
            if parsed is None or not 0 < parsed <= MAX_ID:
                raise ValidationError("must list theme ids.", code="invalid")
            ids.append(parsed)
        return ids


class ListAwareForm(forms.Form):
    """Reads list fields with getlist() from a QueryDict, and as-is from JSON."""

    list_fields: tuple[str, ...] = ()

    def __init__(self, data: Any, *, json_mode: bool) -> None:
        self.json_mode = json_mode
        if not json_mode and hasattr(data, "getlist"):
            plain: dict[str, Any] = {key: data.get(key) for key in data}
            for name in self.list_fields:
                plain[name] = data.getlist(name)
            data = plain
        super().__init__(data)
        for field in self.fields.values():
            if hasattr(field, "json_mode"):
                field.json_mode = json_mode


class QuoteCreateForm(ListAwareForm):
    list_fields = ("themes",)

    start = StrictIntegerField()
    end = StrictIntegerField()
    text = StrictTextField()
    themes = IdListField()
    new_theme = StrictTextField(required=False, max_length=MAX_THEME_NAME_CHARS)
    memo = StrictTextField(required=False, max_length=MAX_MEMO_CHARS)
    uuid = forms.UUIDField(required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors and not data.get("themes") and not data.get("new_theme", "").strip():
            raise ValidationError("Choose at least one theme for the passage (themes).")
        return data


class AddThemeForm(ListAwareForm):
    theme = StrictIntegerField(required=False, min_value=1, max_value=MAX_ID)
    new_theme = StrictTextField(required=False, max_length=MAX_THEME_NAME_CHARS)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors and data.get("theme") is None and not data.get("new_theme", "").strip():
            raise ValidationError("Choose a theme (theme) or type a new one (new_theme).")
        return data


class MemoForm(ListAwareForm):
    memo = StrictTextField(required=False, max_length=MAX_MEMO_CHARS)


class PresenceForm(ListAwareForm):
    """The live page's presence: its stream's connection id and the quote being edited."""

    conn = forms.RegexField(regex=r"\A[0-9a-f]{32}\Z", max_length=32)
    editing = StrictIntegerField(required=False, min_value=1, max_value=MAX_ID)


class AdjustForm(ListAwareForm):
    edge = forms.ChoiceField(choices=[("start", "start"), ("end", "end")])
    action = forms.ChoiceField(choices=[("widen", "widen"), ("narrow", "narrow")])


class UndoStepForm(ListAwareForm):
    """One step of the page's undo/redo (coding.services.undo_step)."""

    step = forms.ChoiceField(choices=[(step, step) for step in STEPS])
    expected_updated_at = forms.DateTimeField(
        help_text="The quote's updated time after your last change to it."
    )
    theme = StrictIntegerField(required=False, min_value=1, max_value=MAX_ID)
    memo = StrictTextField(required=False, max_length=MAX_MEMO_CHARS)
    start = StrictIntegerField(required=False, min_value=0, max_value=MAX_ID)
    end = StrictIntegerField(required=False, min_value=1, max_value=MAX_ID)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        step = data.get("step")
        if step in ("add_theme", "remove_theme") and data.get("theme") is None:
            raise ValidationError("theme: which theme to add or remove.")
        if step == "span" and (data.get("start") is None or data.get("end") is None):
            raise ValidationError("start and end: the span to set the quote to.")
        return data


# --- the team pages' forms ---------------------------------------------------------------


def coder_choices(project):
    from django.contrib.auth import get_user_model

    from interviews.access import CODING_ROLES

    return (
        get_user_model()
        .objects.filter(memberships__project=project, memberships__role__in=CODING_ROLES)
        .order_by("username")
    )


class UsernameChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_username()


class AssignForm(forms.Form):
    transcripts = forms.ModelMultipleChoiceField(
        queryset=None, widget=forms.CheckboxSelectMultiple, label="Transcripts"
    )
    coders = UsernameChoice(queryset=None, widget=forms.CheckboxSelectMultiple, label="Coders")
    blind = forms.BooleanField(
        required=False,
        initial=True,
        label="Blind: each coder sees only their own quotes until every coder is done",
    )

    def __init__(self, *args, project, **kwargs) -> None:
        from interviews.models import Transcript

        super().__init__(*args, **kwargs)
        self.fields["transcripts"].queryset = Transcript.objects.filter(project=project)
        self.fields["coders"].queryset = coder_choices(project)


class DoneForm(forms.Form):
    done = forms.TypedChoiceField(
        choices=[("1", "Done"), ("0", "Not done yet")], coerce=lambda value: value == "1"
    )


class ComparisonForm(forms.Form):
    coder = UsernameChoice(
        queryset=None, widget=forms.CheckboxSelectMultiple, label="Coders", required=False
    )
    transcript = forms.ModelChoiceField(
        queryset=None, required=False, label="Transcript", empty_label="All compared"
    )

    def __init__(self, *args, project, **kwargs) -> None:
        from interviews.models import Transcript

        super().__init__(*args, **kwargs)
        self.fields["coder"].queryset = coder_choices(project)
        self.fields["transcript"].queryset = Transcript.objects.filter(project=project)


class AdoptionForm(forms.Form):
    start = forms.IntegerField(min_value=0, max_value=MAX_ID)
    end = forms.IntegerField(min_value=1, max_value=MAX_ID)
    choice = forms.CharField(max_length=40, label="Decision")  # adopt:ID, merge or both
    coder = forms.TypedMultipleChoiceField(coerce=int, choices=())
    index = forms.IntegerField(required=False, min_value=0, max_value=MAX_ID)

    def __init__(self, *args, coder_ids, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["coder"].choices = [(str(pk), str(pk)) for pk in coder_ids]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        choice = data.get("choice") or ""
        verb, _, who = choice.partition(":")
        if verb not in ("adopt", "merge", "both") or (verb == "adopt") != who.isdigit():
            raise ValidationError({"choice": "Choose a version to adopt, merge or leave both."})
        data["decision"] = verb
        data["adopted_coder"] = int(who) if who.isdigit() and len(who) < 19 else None
        return data


class TrailFilterForm(forms.Form):
    user = forms.ModelChoiceField(queryset=None, required=False, label="User")
    object_type = forms.ChoiceField(required=False, label="Object type")
    date_from = forms.DateField(required=False, label="From (YYYY-MM-DD)")
    date_to = forms.DateField(required=False, label="To (YYYY-MM-DD)")
    transcript = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    quote = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    theme = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)

    def __init__(self, *args, project, types, **kwargs) -> None:
        from django.contrib.auth import get_user_model

        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (
            get_user_model().objects.filter(memberships__project=project).order_by("username")
        )
        self.fields["object_type"].choices = [("", "Any")] + list(types.items())


class CorrectionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)
    note = forms.CharField(required=False, max_length=300, label="What you corrected")

    def __init__(self, *args, stretches, **kwargs) -> None:
        """`stretches`: (label, body) of each turn, in order."""
        super().__init__(*args, **kwargs)
        for i, (label, body) in enumerate(stretches):
            self.fields[f"turn_{i}"] = forms.CharField(
                label=label, initial=body, required=False, strip=False, max_length=2_000_000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )  # fmt: skip

    def bodies(self) -> dict[int, str]:
        return {
            int(name.removeprefix("turn_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("turn_")
        }


# --- search, auto-coding and suggestions (plain HTML forms and one JSON body) -----------


def _theme_choices(project) -> list[tuple[str, str]]:
    from coding.reading import codebook
    from coding.tree import theme_paths

    themes = [t for t in codebook(project.pk) if t.is_active]
    paths = theme_paths(themes)
    return [(str(t.pk), paths.get(t.pk, t.name)) for t in themes]


class SearchForm(forms.Form):
    q = forms.CharField(label="Search for", max_length=300, required=False)
    system = forms.TypedChoiceField(label="Local system", required=False, coerce=int)
    organisation_type = forms.ChoiceField(label="Organisation type", required=False)
    speaker = forms.ChoiceField(
        label="Speaker",
        required=False,
        choices=[("", "Anyone"), ("participant", "Participants"), ("interviewer", "Interviewers")],
    )
    coded = forms.ChoiceField(
        label="Coding",
        required=False,
        choices=[("", "Coded or not"), ("coded", "Coded only"), ("uncoded", "Uncoded only")],
    )
    theme = forms.TypedChoiceField(label="Theme", required=False, coerce=int)

    def __init__(self, *args, project, **kwargs) -> None:
        from interviews.models import LocalSystem, OrganisationType

        super().__init__(*args, **kwargs)
        systems = LocalSystem.objects.filter(project=project).values_list("pk", "name")
        self.fields["system"].choices = [("", "Any system")] + [(str(p), n) for p, n in systems]
        self.fields["organisation_type"].choices = [("", "Any type"), *OrganisationType.choices]
        self.fields["theme"].choices = [("", "Any theme"), *_theme_choices(project)]

    def filters(self):
        from coding.search import Filters

        data = self.cleaned_data
        return Filters(
            system_id=data.get("system") or None,
            organisation_type=data.get("organisation_type") or "",
            speaker=data.get("speaker") or "",
            coded=data.get("coded") or "",
            theme_id=data.get("theme") or None,
        )


class ThemeChoiceForm(forms.Form):
    """A theme of this project's active codebook."""

    theme = forms.TypedChoiceField(label="Theme", coerce=int)

    def __init__(self, *args, project, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["theme"].choices = [("", "Choose a theme"), *_theme_choices(project)]

    def theme_object(self):
        from coding.models import Theme

        return Theme.objects.get(project=self.project, pk=self.cleaned_data["theme"])


class AutoCodePreviewForm(ThemeChoiceForm):
    q = forms.CharField(label="Keyword or phrase", max_length=200)
    unit = forms.ChoiceField(
        label="Code each", choices=[("sentence", "sentence"), ("turn", "speaker turn")]
    )
    speaker = forms.ChoiceField(
        label="Said by",
        required=False,
        choices=[("", "anyone"), ("participant", "participants"), ("interviewer", "interviewers")],
    )


class AutoCodeApplyForm(ThemeChoiceForm):
    q = forms.CharField(max_length=300, required=False)
    kind = forms.ChoiceField(choices=[("keyword", "keyword"), ("similar", "similar")])

    @property
    def matches(self) -> list[str]:
        """The ticked passages ('transcript:start:end'), as many as were sent."""
        return self.data.getlist("match") if hasattr(self.data, "getlist") else []


class SpeakerCodeForm(ThemeChoiceForm):
    who = forms.ChoiceField(label="Whose turns")

    def __init__(self, *args, project, **kwargs) -> None:
        from interviews.models import Participant

        super().__init__(*args, project=project, **kwargs)
        people = Participant.objects.filter(project=project).values_list("pk", "pseudonym")
        self.fields["who"].choices = [
            ("", "Choose a speaker"),
            ("interviewers", "All interviewers"),
            *((f"p{pk}", f"Participant {name}") for pk, name in people),
        ]


class NewThemeFromClusterForm(forms.Form):
    name = forms.CharField(label="New theme name", max_length=MAX_THEME_NAME_CHARS)

    @property
    def matches(self) -> list[str]:
        return self.data.getlist("match") if hasattr(self.data, "getlist") else []


class SuggestForm(ListAwareForm):
    text = StrictTextField(max_length=20_000)
