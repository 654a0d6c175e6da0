"""Redaction of names from exported text: whole words, any case, one compiled regex.

The list is the project's RedactionTerm rows (each with its own label, default
"[name]") plus every participant's real name, the name's parts ("Jane", "Smith") and
so their possessives ("Smith's" becomes "[name]'s"). A term matches only as a whole
word: "Smith" is replaced in "Smith's" and "SMITH" but not in "Smithson".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from coding.models import RedactionTerm
from interviews.models import Participant, Project

DEFAULT_LABEL = "[name]"
# Honorifics and particles are not names on their own: redacting "Dr" everywhere
# would ruin the text without protecting anyone.
NOT_NAMES = frozenset(
    "mr mrs ms miss mx dr prof professor sir dame lord lady rev revd cllr "
    "de la le van von der den di da du del st".split()
)


def normalise(term: str) -> str:
    """The lookup key of a term or a matched text: NFC, lower case, single spaces.

    lower(), not casefold(): it is the folding `re.IGNORECASE` matches with.
    """
    return " ".join(unicodedata.normalize("NFC", term).lower().split())


def name_variants(real_name: str) -> list[str]:
    """'Dr Mary-Jane Smith' -> the full name, 'Mary-Jane Smith', 'Mary-Jane', 'Mary', ..."""
    cleaned = " ".join(real_name.replace(",", " ").split())
    if not cleaned:
        return []
    words = [word.strip(".") for word in cleaned.split()]
    words = [word for word in words if word]
    variants = {cleaned}
    kept = [word for word in words if word.casefold() not in NOT_NAMES]
    if kept:
        variants.add(" ".join(kept))
    for word in kept:
        variants.add(word)
        variants.update(part for part in re.split(r"[-‐]", word) if part)
    return [
        variant
        for variant in variants
        if sum(ch.isalpha() for ch in variant) >= 2 and variant.casefold() not in NOT_NAMES
    ]


class Redactor:
    """Callable: redactor(text) -> text with every term replaced by its label."""

    def __init__(self, terms: Iterable[tuple[str, str]]) -> None:
        labels: dict[str, str] = {}
        for term, label in terms:
            key = normalise(term)
            if key and key not in labels:
                labels[key] = label or DEFAULT_LABEL
        self.labels = labels
        if not labels:
            self._pattern = None
            return
        # Longest first, so "Jane Smith" is replaced as one name rather than twice.
        alternatives = sorted(labels, key=len, reverse=True)
        body = "|".join(
            r"\s+".join(re.escape(word) for word in key.split()) for key in alternatives
        )
        self._pattern = re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)

    @classmethod
    def for_project(cls, project: Project) -> Redactor:
        """The project's list (two queries). The author's own labels win over '[name]'."""
        terms = list(
            RedactionTerm.objects.filter(project=project).values_list("term", "replacement")
        )
        for real_name in (
            Participant.objects.filter(project=project)
            .exclude(real_name="")
            .values_list("real_name", flat=True)
        ):
            terms.extend((variant, DEFAULT_LABEL) for variant in name_variants(real_name))
        return cls(terms)

    def __call__(self, text: str) -> str:
        if self._pattern is None or not text:
            return text
        text = unicodedata.normalize("NFC", text)
        return self._pattern.sub(self._label, text)

    def _label(self, match: re.Match[str]) -> str:
        return self.labels.get(normalise(match.group(0)), DEFAULT_LABEL)
