"""Redaction of names from exported text.

The redaction set is built at export time from every name the server knows
(`NameSources`): participants' real names, every speaker label stored with a turn
(interviewers included: "Interviewer (Sam Okafor)"), the project members' names, the
names in transcripts' file names and titles, and the project's own list
(`RedactionTerm`). Each known full name also gives its parts ("Jane", "Smith") and its
initialled form ("J. Smith"), unless the author marked a part safe (`SafeTerm`, for
common words such as "Will" or "Rose").

Matching is done on a folded copy of the text (`fold`): lower case, diacritics removed
(Zoë = Zoe), apostrophes and dashes unified (O’Neill = O'Neill), so every variant of a
name matches; hyphens and spaces between the words of a name are interchangeable
(Mary-Jane = Mary Jane). Terms match whole words only, and possessives keep their
ending ("Smith's" -> "[name]'s"). Only the matched spans of the original text are
replaced: text with no known name in it comes back byte for byte as it went in, and
the stored quote is never changed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import PurePosixPath

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import BigIntegerField, CharField, F, IntegerField, QuerySet, Value
from django.db.models.functions import Cast

from aefront.rows import distinct_by_parent_sql
from coding.models import QuoteRedaction, RedactionTerm, SafeTerm
from interviews.models import LocalSystem, Participant, Project, SpeakerTurn, Transcript

DEFAULT_LABEL = "[name]"
# Honorifics and particles are not names on their own: redacting "Dr" everywhere
# would ruin the text without protecting anyone.
NOT_NAMES = frozenset(
    "mr mrs ms miss mx dr prof professor sir dame lord lady rev revd cllr "
    "de la le van von der den di da du del st".split()
)
# Words of speaker labels and file names that name a role or a kind of file, not a
# person: the whole label is still redacted, these words are not redacted on their own.
NOT_NAME_WORDS = NOT_NAMES | frozenset(
    """
    interviewer interviewers interviewee interview interviews facilitator moderator enabler
    speaker participant respondent person voice unknown unidentified inaudible crosstalk
    audience member members panel chair chairman chairwoman host guest note notes
    transcript transcription transcribed final draft copy audio video recording zoom teams
    meeting version edited clean cleaned anonymised anonymized redacted part session call
    follow up focus group with and the of for by to in on at a an or from
    chief executive director deputy assistant associate head lead manager officer nurse
    doctor consultant clinician matron ceo coo cfo cmo gp nhs trust ccg system board
    ae ed acute community primary care hospital council
    monday tuesday wednesday thursday friday saturday sunday january february march april
    may june july august september october november december
    docx doc txt rtf odt pdf vtt srt md
    """.split()
)
_GENERIC_LABEL = re.compile(
    r"^(?:p|r|q|a|i|participant|speaker|respondent|interviewee|person|voice|unknown|"
    r"interviewer|facilitator|moderator|enabler)\s*\d*$"
)
_PARENTHETICAL = re.compile(r"\(([^()]*)\)")
# Words that make a term on the project's list a place or an organisation, whose
# words are not names on their own ("Northfield General": "General" is not redacted).
PLACE_WORDS = frozenset(
    """
    general hospital hospitals infirmary trust council ward road street lane avenue way
    centre center clinic practice surgery university college school house unit board
    group partnership service services foundation nhs royal county city borough district
    health care primary community medical mental park court hall place square north south
    east west upper lower great new st saint ambulance fire police station
    """.split()
)

# Letters that NFKD does not take apart, folded by hand.
_SPECIAL = str.maketrans(
    {"ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ħ": "h", "ı": "i",
     "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ß": "ss", "þ": "th", "Þ": "th"}
)  # fmt: skip
_APOSTROPHES = frozenset("'’‘ʼʹ`´′＇")
_DASHES = frozenset("-‐‑‒–—―−﹣－")


def fold_char(char: str) -> str:
    """One character as the matcher sees it (may be empty or several characters)."""
    if char in _APOSTROPHES:
        return "'"
    if char in _DASHES:
        return "-"
    if char.isspace():
        return " "
    decomposed = unicodedata.normalize("NFKD", char.translate(_SPECIAL))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@lru_cache(maxsize=4096)
def _folded_char(char: str) -> str:
    return fold_char(char)


_ASCII = frozenset(map(chr, range(128)))


def fold(text: str) -> tuple[str, list[int]]:
    """The folded text, and for each folded character the index of its source character.

    Text in which every character folds to one (ASCII, and most other text: ’ to ',
    é to e, – to -) folds without a per-character loop: its few distinct other
    characters are replaced, then it is lowered. Its ASCII whitespace then stays as it
    is (the loop makes every space a " "): the matcher treats all whitespace alike.
    """
    if text.isascii():
        return text.lower(), range(len(text))  # type: ignore[return-value]
    shortcut = text
    for char in set(text) - _ASCII:
        folded = _folded_char(char)
        if len(folded) != 1 or folded.lower() != folded:
            break
        shortcut = shortcut.replace(char, folded)
    else:
        return shortcut.lower(), range(len(text))  # type: ignore[return-value]
    pieces: list[str] = []
    sources: list[int] = []
    for index, char in enumerate(text):
        folded = _folded_char(char) if not ("a" <= char <= "z") else char
        pieces.append(folded)
        sources.extend([index] * len(folded))
    return "".join(pieces), sources


def fold_term(term: str) -> str:
    return " ".join(fold(term)[0].split())


def term_key(term: str) -> str:
    """What two spellings of one name have in common: 'O’Neill', 'o neill' -> 'oneill'."""
    return re.sub(r"[\s'.\-]+", "", fold_term(term))


def _pattern_of(folded: str) -> str:
    """The regex for one folded term: its words joined by any run of spaces or dashes,
    an apostrophe optional (O'Neill = ONeill = O Neill)."""
    words = [word for word in re.split(r"[\s\-]+", folded) if word]
    return r"[\s\-]*".join(
        "".join(r"[' ]?" if char == "'" else re.escape(char) for char in word) for word in words
    )


def _words(name: str) -> list[str]:
    cleaned = " ".join(name.replace(",", " ").replace("_", " ").split())
    return [word.strip(".") for word in cleaned.split() if word.strip(".")]


def name_variants(real_name: str) -> list[str]:
    """'Dr Mary-Jane Smith' -> the full name, 'Mary-Jane Smith', 'Mary-Jane', 'Mary', ...

    The initialled forms ('M. Smith', 'M.J. Smith') come from `initialled`.
    """
    words = _words(real_name)
    if not words:
        return []
    variants = {" ".join(words)}
    kept = [word for word in words if word.casefold() not in NOT_NAMES]
    if kept:
        variants.add(" ".join(kept))
    for word in kept:
        variants.add(word)
        variants.update(part for part in re.split(r"[-‐‑]", word) if part)
    return [
        variant
        for variant in variants
        if sum(ch.isalpha() for ch in variant) >= 2 and fold_term(variant) not in NOT_NAME_WORDS
    ]


def initialled(real_name: str) -> str | None:
    """'Jane Mary Smith' -> a regex for 'J. Smith', 'J M Smith', 'J.M.Smith' (folded)."""
    kept = [word for word in _words(real_name) if word.casefold() not in NOT_NAMES]
    if len(kept) < 2:
        return None
    *given, family = [fold_term(word) for word in kept]
    if not all(word[:1].isalpha() for word in given) or len(family) < 2:
        return None
    first, *middle = [rf"{re.escape(word[0])}\.?\s*(?:-\s*)?" for word in given]
    return first + "".join(f"(?:{initial})?" for initial in middle) + _pattern_of(family)


def looks_like_person(term: str) -> bool:
    """A term of the project's list that reads as a person's name: two to four
    capitalised words (or one hyphenated), no place or organisation word."""
    words = _words(term)
    if not 1 <= len(words) <= 4 or (len(words) == 1 and "-" not in words[0]):
        return False
    return not any(ch.isdigit() for ch in term) and all(
        word[:1].isupper() and fold_term(word) not in PLACE_WORDS for word in words
    )


def label_names(label: str) -> list[str]:
    """The person names in one speaker label: 'Interviewer (Sam Okafor)' -> ['Sam Okafor'],
    'Dr Jane Smith (CEO)' -> ['Dr Jane Smith'], 'Speaker 2' and 'P03' -> []."""
    names = []
    for part in [*_PARENTHETICAL.findall(label), _PARENTHETICAL.sub(" ", label)]:
        words = [word for word in _words(part) if fold_term(word) not in NOT_NAME_WORDS]
        if not words or _GENERIC_LABEL.match(fold_term(" ".join(words))):
            continue
        if any(ch.isdigit() for ch in "".join(words)):
            continue
        names.append(" ".join(_words(part)))
    return names


def file_names(
    name: str, ignore: frozenset[str] = frozenset(), *, is_file: bool = True
) -> list[str]:
    """The names in a file name or title: 'Jane Smith interview 2024.docx' -> ['Jane Smith'].

    Capitalised words that are not file or role words; every such word of a stem written
    all in one case ('jane_smith_interview'). Runs of such words make one name.
    """
    stem = PurePosixPath(name).stem if is_file else name
    tokens = re.findall(r"[^\W\d_]+(?:['’][^\W\d_]+)*", stem)
    # A stem all in one case gives no hint: every word may be a name. Otherwise only
    # capitalised words are ("Jane Smith ED notes": not "ED", not "notes").
    one_case = stem in (stem.lower(), stem.upper())
    names: list[str] = []
    run: list[str] = []
    for token in tokens:
        folded = fold_term(token)
        is_name = (
            len(folded) >= 2
            and folded not in NOT_NAME_WORDS
            and folded not in ignore
            and (one_case or (token[0].isupper() and not token.isupper()))
        )
        if is_name:
            run.append(token)
        elif run:
            names.append(" ".join(run))
            run = []
    if run:
        names.append(" ".join(run))
    return names


_SYSTEM, _REAL_NAME, _LABEL, _MEMBER, _FILE, _TERM, _SAFE, _QUOTE_TERM = range(8)


def name_rows(project: Project) -> dict[int, list[tuple]]:
    """Every row the redaction set is made of, by kind (`_SYSTEM`…), in one statement:
    each read is a branch of one UNION ALL, as (text, text, id) rows. Eight queries had
    cost an export eight round trips and eight compilations."""

    def branch(queryset: QuerySet, kind: int, a: str, b: str | None = None, n: str | None = None):
        columns = {
            "k": Value(kind, IntegerField()),
            "a": F(a),
            "b": F(b) if b else Value(None, CharField()),
            "n": F(n) if n else Cast(Value(None), BigIntegerField()),
        }
        return queryset.order_by().values(**columns).query.sql_with_params()

    # Every interview's labels, the bin's too: each one's few from the index turn_labels.
    every = Transcript.all_objects.filter(project=project)
    ctes, labels, params = distinct_by_parent_sql(
        SpeakerTurn, "transcript_id", "speaker_label", every, above=""
    )
    users = get_user_model().objects.filter(memberships__project=project)
    branches = [
        (f"SELECT {_LABEL}, value, NULL, CAST(NULL AS BIGINT) FROM {labels}", []),
        branch(LocalSystem.objects.filter(project=project), _SYSTEM, "name"),
        branch(Participant.objects.filter(project=project).exclude(real_name=""), _REAL_NAME, "real_name"),
        branch(users, _MEMBER, "first_name", "last_name"),
        branch(Transcript.objects.filter(project=project), _FILE, "original_name", "title"),
        branch(RedactionTerm.objects.filter(project=project), _TERM, "term", "replacement"),
        branch(SafeTerm.objects.filter(project=project), _SAFE, "term"),
        branch(QuoteRedaction.objects.filter(quote__transcript__project=project), _QUOTE_TERM, "term", n="quote_id"),
    ]  # fmt: skip
    sql = f"WITH RECURSIVE {ctes} " + " UNION ALL ".join(part for part, _ in branches)
    found: dict[int, list[tuple]] = {kind: [] for kind in range(8)}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *(p for _, part in branches for p in part)])
        for kind, a, b, n in cursor.fetchall():
            found[kind].append((a, b, n))
    return found


@dataclass
class NameSources:
    """Every name the server knows for one project, by where it came from."""

    real_names: list[str] = field(default_factory=list)
    speaker_labels: list[str] = field(default_factory=list)
    member_names: list[str] = field(default_factory=list)
    file_names: list[str] = field(default_factory=list)

    @classmethod
    def for_project(cls, project: Project) -> NameSources:
        """One query, whatever the size of the project."""
        return cls.of_rows(name_rows(project))

    @classmethod
    def of_rows(cls, rows: dict[int, list[tuple]]) -> NameSources:
        """The sources in the rows `name_rows` read."""
        systems = frozenset(
            fold_term(word) for (name, _, _) in rows[_SYSTEM] for word in name.split()
        )
        sources = cls()
        sources.real_names = sorted({name for (name, _, _) in rows[_REAL_NAME]})
        labels = {label for (label, _, _) in rows[_LABEL]}
        sources.speaker_labels = sorted({name for label in labels for name in label_names(label)})
        sources.member_names = sorted(
            {
                " ".join(f"{first} {last}".split())
                for first, last, _ in rows[_MEMBER]
                if f"{first}{last}".strip()
            }
        )
        found: set[str] = set()
        for original, title, _ in rows[_FILE]:
            found.update(file_names(original, systems))
            found.update(file_names(title, systems, is_file=False))
        sources.file_names = sorted(found)
        return sources

    def full_names(self) -> list[str]:
        return sorted(
            {*self.real_names, *self.speaker_labels, *self.member_names, *self.file_names}
        )


class Redactor:
    """Callable: redactor(text, quote_id=None) -> text with every known name replaced.

    `terms` are (term, label) pairs matched as they are (the author's list); `names` are
    full names, matched with their parts and initialled forms; `safe` are words the author
    marked safe, never redacted as a part of a name; `per_quote` maps a quote id to the
    terms redacted in that quote only.
    """

    def __init__(
        self,
        terms: Iterable[tuple[str, str]] = (),
        *,
        names: Iterable[str] = (),
        safe: Iterable[str] = (),
        per_quote: dict[int, list[str]] | None = None,
    ) -> None:
        self.safe_terms = sorted({" ".join(term.split()) for term in safe})
        self.safe = {term_key(term) for term in self.safe_terms}
        self.labels: dict[str, str] = {}
        patterns: dict[str, str] = {}
        for term, label in terms:
            folded = fold_term(term)
            if folded and term_key(term) not in self.labels:
                self.labels[term_key(term)] = label or DEFAULT_LABEL
                patterns.setdefault(_pattern_of(folded), folded)
        self.names = sorted({" ".join(name.split()) for name in names if name.strip()})
        for name in self.names:
            for variant in name_variants(name):
                if term_key(variant) in self.safe and variant != name:
                    continue
                patterns.setdefault(_pattern_of(fold_term(variant)), fold_term(variant))
            if (pattern := initialled(name)) is not None:
                patterns.setdefault(pattern, fold_term(name))
        self._pattern = self._compile(patterns)
        self._per_quote = {
            quote_id: self._compile({_pattern_of(fold_term(t)): fold_term(t) for t in quoted})
            for quote_id, quoted in (per_quote or {}).items()
        }

    @staticmethod
    def _compile(patterns: dict[str, str]) -> re.Pattern[str] | None:
        patterns = {pattern: term for pattern, term in patterns.items() if term}
        if not patterns:
            return None
        # Longest first, so "Jane Smith" is replaced as one name rather than twice.
        body = "|".join(sorted(patterns, key=lambda p: (-len(patterns[p]), -len(p))))
        return re.compile(rf"(?<!\w)(?:{body})(?:s(?='))?(?!\w)")

    @classmethod
    def for_project(cls, project: Project) -> Redactor:
        """The redaction set of a project, in one query."""
        rows = name_rows(project)
        sources = NameSources.of_rows(rows)
        terms = sorted((term, label) for term, label, _ in rows[_TERM])
        per_quote: dict[int, list[str]] = {}
        for term, _, quote_id in rows[_QUOTE_TERM]:
            per_quote.setdefault(quote_id, []).append(term)
        names = [*sources.full_names(), *(term for term, _ in terms if looks_like_person(term))]
        safe = [term for term, _, _ in rows[_SAFE]]
        return cls(terms, names=names, safe=safe, per_quote=per_quote)

    def __call__(self, text: str, quote_id: int | None = None) -> str:
        if not text:
            return text
        patterns = [self._pattern, self._per_quote.get(quote_id) if quote_id else None]
        patterns = [pattern for pattern in patterns if pattern is not None]
        if not patterns:
            return text
        folded, sources = fold(text)
        spans: list[tuple[int, int, str]] = []
        for pattern in patterns:
            for match in pattern.finditer(folded):
                start = sources[match.start()]
                end = sources[match.end() - 1] + 1
                while end < len(text) and unicodedata.combining(text[end]):
                    end += 1  # a decomposed accent belongs to the letter before it
                spans.append((start, end, self.labels.get(term_key(match[0]), DEFAULT_LABEL)))
        if not spans:
            return text
        pieces = []
        position = 0
        for start, end, label in sorted(spans):
            if start < position:
                continue  # inside a span already replaced
            pieces.append(text[position:start])
            pieces.append(label)
            position = end
        pieces.append(text[position:])
        return "".join(pieces)
