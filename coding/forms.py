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
from coding.services import MAX_THEME_NAME_CHARS

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


class AdjustForm(ListAwareForm):
    edge = forms.ChoiceField(choices=[("start", "start"), ("end", "end")])
    action = forms.ChoiceField(choices=[("widen", "widen"), ("narrow", "narrow")])
