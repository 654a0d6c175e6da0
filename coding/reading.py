"""Read side of the coding page, its JSON and the theme list: fixed query counts.

What the page shows is gathered here in a few queries (quotes and codings read as
value rows, not model instances); the HTML of the transcript and the side panel is
written by `markup`, over the segments and blocks of `layout`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from aefront import rows
from coding import markup
from coding.layout import Block, blocks_for_rows, segments
from coding.markup import NO_THEME_COLOUR, QuoteGroup, safe_colour, strong_colour
from coding.models import AnchorFlag, Assignment, CodingRound, Quote, QuoteTheme, Theme
from coding.tree import theme_paths, tree_order
from interviews.access import Column, PassageRead, ProjectAccess, passage_sql
from interviews.access import get_in_project as access_get
from interviews.models import Project, SpeakerTurn, Transcript
from interviews.recordings import KINDS, may_hear

POLL_MS = 20_000  # how often the page asks for other coders' changes (AEFRONT_POLL_MS)


def api_urls(project_slug: str, transcript_id: int) -> dict[str, str]:
    quote_zero = reverse("coding:api_quote", args=[project_slug, 0])
    return {
        "quotes": reverse("coding:api_quotes", args=[project_slug, transcript_id]),
        "quote_base": quote_zero[: -len("0/")],
        "suggest": reverse("coding:api_suggest", args=[project_slug]),
        "live": reverse("coding:live_stream", args=[project_slug, transcript_id]),
        "presence": reverse("coding:live_presence", args=[project_slug, transcript_id]),
    }


# --- blind mode: THE rule ---------------------------------------------------------


def blind_hidden(user_id: int | None, prefix: str = "") -> Q:
    """The quotes a member other than a project admin may not see (`prefix` leads from
    the queried model to the quote, e.g. "content_object__" for codings).

    Another coder's quote on a transcript whose blind round is not complete (not every
    assigned coder has marked it done) is hidden; your own quotes never are.
    """
    round_ = f"{prefix}transcript__coding_round__"
    return Q(**{f"{round_}blind": True, f"{round_}revealed_at__isnull": True}) & ~Q(
        **{f"{prefix}coder_id": user_id}
    )


def blind_hidden_sql(quote: str, coding_round: str) -> str:
    """`blind_hidden` for hand-written SQL (one %s: the viewer's id), over the quote's
    alias and that of its transcript's round LEFT JOINed on the transcript. Two-valued
    when there is no round: `NOT` of it keeps the quote."""
    q = connection.ops.quote_name
    return (
        f"({coding_round}.{q('id')} IS NOT NULL AND {coding_round}.{q('blind')} "
        f"AND {coding_round}.{q('revealed_at')} IS NULL AND {quote}.{q('coder_id')} <> %s)"
    )


def blind_viewer(access: ProjectAccess) -> int | None:
    """The user the blind rule applies to (None: a project admin, who sees everything)."""
    if access.is_admin:
        return None
    return getattr(access.user, "pk", None) or 0


def visible_quotes(
    access: ProjectAccess, transcript: Transcript | None = None, *, include_deleted: bool = False
) -> QuerySet[Quote]:
    """The quotes this member may see: of one transcript, or of the whole project.

    Every channel that shows quotes reads them here or applies `blind_hidden` with
    `blind_viewer`: the coding page, its JSON and poll, the agreement pages and the
    report pages and exports.
    """
    manager = Quote.all_objects if include_deleted else Quote.objects
    if transcript is not None:
        quotes = manager.filter(transcript=transcript)
    else:
        quotes = manager.filter(transcript__project=access.project)
    viewer = blind_viewer(access)
    return quotes if viewer is None else quotes.exclude(blind_hidden(viewer))


@dataclass
class RoundView:
    """The coding round of one transcript as its page shows it."""

    blind: bool
    revealed: bool
    coders: list[tuple[str, bool]]  # (name, done)
    mine: Assignment | None

    @property
    def waiting_for(self) -> int:
        return sum(1 for _, done in self.coders if not done)


def page_columns(access: ProjectAccess) -> list[Column]:
    """Whether the transcript has a round and open flags for this member, read with the
    transcript itself (`access.get_transcript_with`): `round_view` and `anchor_flags`
    then skip their query when there is nothing to show."""
    q = connection.ops.quote_name
    rounds, assignments = rows.table(CodingRound), rows.table(Assignment)
    flags, quotes = rows.table(AnchorFlag), rows.table(Quote)
    # `open_flags` as SQL: an admin's are everyone's, a coder's their own quotes'.
    mine = "" if access.is_admin else f" AND qu.{q('coder_id')} = %s"
    return [
        Column(
            "has_round",
            f"EXISTS (SELECT 1 FROM {assignments} a JOIN {rounds} r "
            f"ON r.{q('id')} = a.{q('coding_round_id')} WHERE r.{q('transcript_id')} = t.{q('id')})",
            CodingRound._meta.get_field("blind"),
        ),
        Column(
            "has_flags",
            f"EXISTS (SELECT 1 FROM {flags} f JOIN {quotes} qu ON qu.{q('id')} = f.{q('quote_id')} "
            f"WHERE qu.{q('transcript_id')} = t.{q('id')} AND qu.{q('deleted_at')} IS NULL "
            f"AND f.{q('resolved_at')} IS NULL{mine})",
            CodingRound._meta.get_field("blind"),
            () if access.is_admin else (getattr(access.user, "pk", None),),
        ),
    ]


def round_view(transcript: Transcript, access: ProjectAccess) -> RoundView | None:
    """The transcript's round with its coders' status, or None (one query; none when the
    transcript was loaded with `page_columns` and has no round)."""
    if getattr(transcript, "has_round", True) is False:
        return None
    assignments = list(
        Assignment.objects.filter(coding_round__transcript=transcript)
        .select_related("coding_round", "coder")
        .order_by("pk")
    )
    if not assignments:
        return None
    coding_round: CodingRound = assignments[0].coding_round
    me = getattr(access.user, "pk", None)
    return RoundView(
        blind=coding_round.blind,
        revealed=coding_round.revealed_at is not None,
        coders=[(user_name(a.coder), a.done_at is not None) for a in assignments],
        mine=next((a for a in assignments if a.coder_id == me), None),
    )


def open_flags(transcript: Any, access: ProjectAccess) -> QuerySet[AnchorFlag]:
    """Open flags of a correction on the quotes this member coded (an admin: all)."""
    flags = AnchorFlag.objects.filter(
        quote__transcript=transcript, quote__deleted_at__isnull=True, resolved_at__isnull=True
    )
    if not access.is_admin:
        flags = flags.filter(quote__coder_id=getattr(access.user, "pk", None))
    return flags


def anchor_flags(transcript: Transcript, access: ProjectAccess) -> list[AnchorFlag]:
    """`open_flags` in text order, at most 200 (one query; none when the transcript was
    loaded with `page_columns` and has none)."""
    if getattr(transcript, "has_flags", True) is False:
        return []
    return list(open_flags(transcript, access).order_by("quote__start", "pk")[:200])


# --- what the page shows ---------------------------------------------------------


@dataclass
class Filters:
    theme_id: int | None = None
    coder_id: int | None = None
    mine: bool = False
    problems: list[str] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return bool(self.theme_id or self.coder_id or self.mine)

    def as_json(self) -> dict[str, Any]:
        return {"theme": self.theme_id, "coder": self.coder_id, "mine": self.mine}


def parse_filters(params: Mapping[str, str]) -> Filters:
    """?theme=ID&coder=ID&mine=1 (bad values are reported and ignored)."""
    filters = Filters()
    for name in ("theme", "coder"):
        value = (params.get(name) or "").strip()
        if not value:
            continue
        if value.isascii() and value.isdigit() and len(value) < 12:
            setattr(filters, f"{name}_id", int(value))
        else:
            filters.problems.append(f"The {name} filter must be an id; it was ignored.")
    filters.mine = (params.get("mine") or "") in {"1", "on", "true"}
    return filters


@dataclass(slots=True)
class ThemeRow:
    """The columns of a theme the coding page needs (read as values: no model instances)."""

    pk: int
    name: str
    parent_id: int | None
    order: int
    colour: str
    is_active: bool
    is_proposed: bool
    depth: int = 0
    description: str = ""
    uses: int = 0  # live quotes in the project the viewer may see (codebook panel)


def themes_with_ids(project_id: int, ids: Iterable[int]) -> dict[int, Theme]:
    """The project's themes among these ids, by id: one constant statement per number
    of ids (aefront/rows.py), read on every write of a quote."""
    ids = list(dict.fromkeys(int(pk) for pk in ids))
    if not ids:
        return {}
    q = connection.ops.quote_name
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {rows.select_list(Theme, 't')} FROM {q(Theme._meta.db_table)} t "
            f"WHERE t.{q('project_id')} = %s AND t.{q('id')} IN ({marks})",
            [project_id, *ids],
        )
        themes = [rows.instance(Theme, row, 0)[0] for row in cursor.fetchall()]
    return {theme.pk: theme for theme in themes}


def transcript_and_themes(
    project_access: ProjectAccess, transcript_id: int, start: int, end: int, ids: Iterable[int]
) -> tuple[Transcript, dict[int, Theme]]:
    """What a quote's write reads, in one statement: the transcript with the passage
    [start, end) and its turns (`access.get_transcript_for_passage`, a 404 for a
    transcript of another project), and the project's themes among `ids`, by id (the
    themes joined to the transcript's row: one row per theme found)."""
    ids = list(dict.fromkeys(int(pk) for pk in ids))
    read = PassageRead(project_access, transcript_id, start, end)
    with connection.cursor() as cursor:
        cursor.execute(_passage_with_themes_sql(connection.vendor, len(ids)), read.params(ids))
        found = cursor.fetchall()
    transcript, at = read.transcript(found[0] if found else None)
    themes = [rows.instance(Theme, row, at)[0] for row in found if row[at] is not None]
    return transcript, {theme.pk: theme for theme in themes}


@cache
def _passage_with_themes_sql(vendor: str, count: int) -> str:
    q = connection.ops.quote_name
    marks = ", ".join(["%s"] * count) or "NULL"
    joined = (
        f"LEFT JOIN {q(Theme._meta.db_table)} th ON th.{q('project_id')} = t.{q('project_id')} "
        f"AND th.{q('id')} IN ({marks})"
    )
    return passage_sql(vendor, rows.select_list(Theme, "th"), joined)


def codebook(project_id: int) -> list[ThemeRow]:
    """The project's themes in tree order, in one light query."""
    rows = Theme.objects.filter(project_id=project_id).values_list(
        "pk", "name", "parent_id", "order", "colour", "is_active", "is_proposed"
    )
    return tree_order([ThemeRow(*row) for row in rows])


def codebook_with_uses(project_id: int, access: ProjectAccess) -> list[ThemeRow]:
    """The codebook with each theme's definition and its number of live quotes in the
    project, leaving out those the blind rule hides from this member (one constant
    statement, aefront/rows.py: through the ORM, compiling it cost a millisecond).

    Each theme counts its codings whose quote is not binned or hidden: a subquery per
    theme whose NOT EXISTS PostgreSQL runs as an anti-join. Counting over a join to every
    quote cost 8.8 ms for an admin and 15 ms for a coder at 5,000 quotes, against 2.1
    and 3.5 ms (a codebook of 20 themes, statistics as autovacuum leaves them), and the
    indexes `quote_binned` and `coding_theme_quotes` take both to under 2 ms once
    vacuumed (index-only scans).
    """
    viewer = blind_viewer(access)
    with connection.cursor() as cursor:
        cursor.execute(
            _codebook_sql(viewer is not None),
            [project_id] if viewer is None else [viewer, project_id],
        )
        found = rows.convert_rows(cursor.fetchall(), _CODEBOOK_FIELDS)
    return tree_order([ThemeRow(*row[:7], description=row[7], uses=row[8]) for row in found])


_CODEBOOK_FIELDS = tuple(
    Theme._meta.get_field(name)
    for name in ("id", "name", "parent", "order", "colour", "is_active", "is_proposed")
) + (None, None)  # the description and the count, as read


@cache
def _codebook_sql(blind: bool) -> str:
    q = connection.ops.quote_name
    coding = f"g.{q('id')} = v.{q('content_object_id')}"
    uses = (
        f"SELECT COUNT(*) FROM {rows.table(QuoteTheme)} v WHERE v.{q('tag_id')} = th.{q('id')} "
        f"AND NOT EXISTS (SELECT 1 FROM {rows.table(Quote)} g "
        f"WHERE {coding} AND g.{q('deleted_at')} IS NOT NULL)"
    )
    if blind:
        # Apart from the binned test, so that each is an anti-join on a small side: the
        # binned quotes (the index quote_binned) and the quotes of transcripts whose blind
        # round is open. As one test (binned OR hidden, over a LEFT JOIN to the rounds),
        # PostgreSQL scanned every quote of every project once per theme: 27 ms for a
        # coder's page at 6,700 quotes in all, against 2 ms for an admin's.
        uses += (
            f" AND NOT EXISTS (SELECT 1 FROM {rows.table(CodingRound)} r "
            f"JOIN {rows.table(Quote)} g ON g.{q('transcript_id')} = r.{q('transcript_id')} "
            f"WHERE {coding} AND {blind_hidden_sql('g', 'r')})"
        )
    columns = ", ".join(
        f"th.{q(name)}"
        for name in ("id", "name", "parent_id", "order", "colour", "is_active", "is_proposed")
    )
    return (
        f"SELECT {columns}, th.{q('description')}, ({uses}) "
        f"FROM {rows.table(Theme)} th WHERE th.{q('project_id')} = %s"
    )


def codebook_json(themes: list[ThemeRow]) -> list[dict[str, Any]]:
    """What the codebook panel adds to each theme: its definition and project uses."""
    return [
        {
            "id": theme.pk,
            "depth": theme.depth,
            "description": theme.description,
            "uses": theme.uses,
        }
        for theme in themes
    ]


def theme_json(theme: Theme | ThemeRow, paths: Mapping[int, str]) -> dict[str, Any]:
    return {
        "id": theme.pk,
        "name": theme.name,
        "path": paths.get(theme.pk, theme.name),
        "colour": safe_colour(theme.colour),
        "strong": strong_colour(theme.colour),
        "active": theme.is_active,
        "proposed": theme.is_proposed,
    }


def user_name(user) -> str:
    return user.get_username()


@dataclass(slots=True)
class QuoteRow:
    """The columns of a quote the coding page needs (read as values: no model instances)."""

    pk: int
    uuid: Any
    start: int
    end: int
    text: str
    memo: str
    coder_id: int
    coder_name: str
    created_at: Any
    updated_at: Any
    deleted_at: Any = None

    @classmethod
    def of(cls, quote: Quote) -> QuoteRow:
        return cls(
            quote.pk,
            quote.uuid,
            quote.start,
            quote.end,
            quote.text,
            quote.memo,
            quote.coder_id,
            user_name(quote.coder),
            quote.created_at,
            quote.updated_at,
            quote.deleted_at,
        )


def quote_rows(queryset) -> list[QuoteRow]:
    """One query, one tuple per quote: several times faster than model instances."""
    username = f"coder__{get_user_model().USERNAME_FIELD}"
    fields = ("pk", "uuid", "start", "end", "text", "memo", "coder_id", username)
    return [
        QuoteRow(*row)
        for row in queryset.values_list(*fields, "created_at", "updated_at", "deleted_at")
    ]


def page_quotes(
    access: ProjectAccess, transcript: Transcript
) -> tuple[list[QuoteRow], dict[int, list[int]]]:
    """The transcript's live quotes this member may see (`visible_quotes`) and each
    one's theme ids, in one constant statement (a row per coding; one for a quote
    without a theme). Each text is sliced from the transcript's, which `Quote.clean()`
    keeps equal to the stored one, instead of read again."""
    viewer = blind_viewer(access)
    with connection.cursor() as cursor:
        cursor.execute(
            _page_quotes_sql(viewer is not None),
            [transcript.pk] if viewer is None else [transcript.pk, viewer],
        )
        found = rows.convert_rows(cursor.fetchall(), _page_quote_fields())
    text = transcript.text
    quotes: list[QuoteRow] = []
    links: dict[int, list[int]] = {}
    for pk, uuid, start, end, memo, coder_id, name, created, updated, theme_id in found:
        ids = links.get(pk)
        if ids is None:
            ids = links[pk] = []
            row = QuoteRow(
                pk, uuid, start, end, text[start:end], memo, coder_id, name, created, updated
            )
            quotes.append(row)
        if theme_id is not None:
            ids.append(theme_id)
    return quotes, links


# The columns of `page_quotes`' rows: the quote's, its coder's name, a coding's theme.
_PAGE_QUOTE_COLUMNS = ("id", "uuid", "start", "end", "memo", "coder_id")
_PAGE_QUOTE_TIMES = ("created_at", "updated_at")


@cache
def _page_quote_fields() -> tuple:
    user = get_user_model()
    quote = Quote._meta.get_field
    return (
        *(quote(name) for name in _PAGE_QUOTE_COLUMNS),
        user._meta.get_field(user.USERNAME_FIELD),
        *(quote(name) for name in _PAGE_QUOTE_TIMES),
        None,
    )


@cache
def _page_quotes_sql(blind: bool) -> str:
    q = connection.ops.quote_name
    user = get_user_model()
    name = user._meta.get_field(user.USERNAME_FIELD).column
    columns = ", ".join(
        [f"qu.{q(c)}" for c in _PAGE_QUOTE_COLUMNS]
        + [f"u.{q(name)}"]
        + [f"qu.{q(c)}" for c in _PAGE_QUOTE_TIMES]
    )
    joined = where = ""
    if blind:
        joined = (
            f" LEFT JOIN {rows.table(CodingRound)} r "
            f"ON r.{q('transcript_id')} = qu.{q('transcript_id')}"
        )
        where = f" AND NOT {blind_hidden_sql('qu', 'r')}"
    return (
        f"SELECT {columns}, c.{q('tag_id')} FROM {rows.table(Quote)} qu "
        f"JOIN {rows.table(user)} u ON u.{q('id')} = qu.{q('coder_id')}{joined} "
        f"LEFT JOIN {rows.table(QuoteTheme)} c ON c.{q('content_object_id')} = qu.{q('id')} "
        f"WHERE qu.{q('transcript_id')} = %s AND qu.{q('deleted_at')} IS NULL{where} "
        f"ORDER BY qu.{q('start')}, qu.{q('end')}, qu.{q('id')}"
    )


def turn_rows(transcript: Transcript) -> list[tuple]:
    """The transcript's turns as `layout.TurnRow`s (index, start, end, interviewer,
    started at, pseudonym): one constant statement."""
    with connection.cursor() as cursor:
        cursor.execute(_turns_sql(), [transcript.pk])
        return rows.convert_rows(cursor.fetchall(), _TURN_FIELDS)


_TURN_FIELDS = tuple(
    SpeakerTurn._meta.get_field(name)
    for name in ("index", "start", "end", "is_interviewer", "started_at_ms")
) + (None,)


@cache
def _turns_sql() -> str:
    q = connection.ops.quote_name
    columns = ", ".join(
        f"s.{q(name)}" for name in ("index", "start", "end", "is_interviewer", "started_at_ms")
    )
    participants = rows.table(SpeakerTurn._meta.get_field("participant").related_model)
    return (
        f"SELECT {columns}, pa.{q('pseudonym')} FROM {rows.table(SpeakerTurn)} s "
        f"LEFT JOIN {participants} pa ON pa.{q('id')} = s.{q('participant_id')} "
        f"WHERE s.{q('transcript_id')} = %s"
    )


def quote_json(
    quote: QuoteRow, theme_ids: list[int], *, access: ProjectAccess, with_text: bool = True
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": quote.pk,
        "uuid": str(quote.uuid),
        "start": quote.start,
        "end": quote.end,
        "memo": quote.memo,
        "coder": {"id": quote.coder_id, "name": quote.coder_name},
        "created": quote.created_at.isoformat(),
        "updated": quote.updated_at.isoformat(),
        "deleted": quote.deleted_at is not None,
        "themes": theme_ids,
        "can_edit": access.may_edit_quote(quote.coder_id),
    }
    if with_text:
        data["text"] = quote.text
    return data


def theme_ids_by_quote(quote_ids: Iterable[int]) -> dict[int, list[int]]:
    """One query: the theme ids of each quote."""
    found: dict[int, list[int]] = {}
    rows = QuoteTheme.objects.filter(content_object_id__in=list(quote_ids)).values_list(
        "content_object_id", "tag_id"
    )
    for quote_id, theme_id in rows:
        found.setdefault(quote_id, []).append(theme_id)
    return found


def quote_payload(
    quote: Quote, *, access: ProjectAccess, loaded_themes: list[Theme] | None = None
) -> dict[str, Any]:
    """The saved quote as the API returns it: its themes in full, with paths (2 queries;
    none given the project's themes in `loaded_themes` and the service's `theme_ids`)."""
    if loaded_themes is None:
        themes = codebook(quote.transcript.project_id)
    else:
        themes = tree_order(loaded_themes)
    paths = theme_paths(themes)
    order = {theme.pk: n for n, theme in enumerate(themes)}
    ids = getattr(quote, "theme_ids", None)
    if ids is None or loaded_themes is None:
        ids = theme_ids_by_quote([quote.pk]).get(quote.pk, [])
    ids = sorted(ids, key=order.get)
    data = quote_json(QuoteRow.of(quote), ids, access=access)
    by_id = {theme.pk: theme for theme in themes}
    data["theme_details"] = [theme_json(by_id[pk], paths) for pk in ids]
    return data


def project_themes_json(project: Project) -> list[dict[str, Any]]:
    """The codebook in tree order, as the page's JavaScript knows it (1 query)."""
    themes = codebook(project.pk)
    paths = theme_paths(themes)
    return [theme_json(theme, paths) for theme in themes]


def changed_quotes(
    transcript: Transcript, *, since, access: ProjectAccess
) -> list[dict[str, Any]]:
    """Quotes of the transcript changed after `since` (deleted ones included): 2 queries."""
    queryset = visible_quotes(access, transcript, include_deleted=True)
    if since is not None:
        queryset = queryset.filter(updated_at__gt=since)
    else:
        queryset = queryset.filter(deleted_at__isnull=True)
    quotes = quote_rows(queryset.order_by("start", "end", "pk"))
    links = theme_ids_by_quote(quote.pk for quote in quotes)
    return [quote_json(quote, links.get(quote.pk, []), access=access) for quote in quotes]


def recording_view(
    transcript: Transcript, access: ProjectAccess, blocks: list[Block]
) -> dict[str, Any] | None:
    """The player's source, for those who may hear it, and whether any turn has a time."""
    if not transcript.recording_file or transcript.recording_format not in KINDS:
        return None
    if not may_hear(access):
        return None
    return {
        "url": reverse(
            "interviews:transcript_recording", args=[access.project.slug, transcript.pk]
        ),
        "type": KINDS[transcript.recording_format].content_type,
        "timed": any(block.started_at_ms is not None for block in blocks),
        # "/…/turns/0/start/" without its "0/start/": the page adds a turn's index.
        "turn_base": reverse(
            "interviews:turn_start", args=[access.project.slug, transcript.pk, 0]
        )[: -len("0/start/")],
        "may_time": access.can_code,
    }


def transcript_page(
    transcript: Transcript, *, access: ProjectAccess, filters: Filters
) -> dict[str, Any]:
    """Everything the coding page shows, in 5 queries whatever the number of quotes."""
    project = transcript.project
    user, role = access.user, access.role
    started = timezone.now()  # before reading: polling from here misses nothing
    text = transcript.text
    all_quotes, links = page_quotes(access, transcript)
    turns = turn_rows(transcript)
    themes = codebook_with_uses(project.pk, access)
    paths = theme_paths(themes)
    theme_by_id = {theme.pk: theme for theme in themes}
    theme_rank = {theme.pk: n for n, theme in enumerate(themes)}
    for quote in all_quotes:
        links[quote.pk] = sorted(links.get(quote.pk, []), key=theme_rank.get)

    coders = sorted({(q.coder_id, q.coder_name) for q in all_quotes}, key=lambda c: (c[1], c[0]))
    if filters.theme_id is not None and filters.theme_id not in theme_by_id:
        filters.problems.append("No such theme in this project; the theme filter was ignored.")
        filters.theme_id = None
    if filters.coder_id is not None and filters.coder_id not in {pk for pk, _ in coders}:
        filters.problems.append("Nobody with that id coded this transcript; filter ignored.")
        filters.coder_id = None
    shown = [quote for quote in all_quotes if matches(quote, links, filters, user)]

    is_admin, can_code = access.is_admin, access.can_code
    blocks = blocks_for_rows(text, turns)
    html = transcript_html(text, blocks, shown, links, theme_by_id)
    used_theme_ids = sorted(
        {t for quote in all_quotes for t in links[quote.pk]}, key=theme_rank.get
    )
    groups = quote_groups(shown, links, theme_by_id, paths)
    data = {
        "project": project.slug,
        "transcript": transcript.pk,
        "now": started.isoformat(),
        "poll_ms": getattr(settings, "AEFRONT_POLL_MS", POLL_MS),
        "urls": {
            **api_urls(project.slug, transcript.pk),
            # An admin reads the trail: a quote's history is one click from its dialog.
            **({"trail": reverse("coding:trail", args=[project.slug])} if is_admin else {}),
        },
        "user": {"id": user.pk, "name": user_name(user)},
        "role": role,
        "can_code": can_code,
        "is_admin": is_admin,
        "can_propose": can_code and (is_admin or project.enablers_can_propose_themes),
        "multi_turn_quotes": project.multi_turn_quotes,
        "filters": filters.as_json(),
        "recording": recording_view(transcript, access, blocks),
        "themes": [theme_json(theme, paths) for theme in themes],
        "codebook": codebook_json(themes),
        "turns": [
            [b.start, b.end, b.speaker, b.kind, b.is_interviewer, b.started_at_ms, b.turn]
            for b in blocks
        ],
        "quotes": [
            quote_json(quote, links[quote.pk], access=access, with_text=False)
            for quote in all_quotes
        ],
    }
    return {
        "transcript": transcript,
        "transcript_html": html,
        "panel_html": markup.panel_html(groups),
        "quote_count": len(all_quotes),
        "shown_count": len(shown),
        "filters": filters,
        "filter_themes": [(theme_by_id[pk], paths[pk]) for pk in used_theme_ids],
        "filter_coders": coders,
        "round": round_view(transcript, access),
        "recording": data["recording"],
        "anchor_flags": anchor_flags(transcript, access),
        "can_code": can_code,
        "can_propose": data["can_propose"],
        "coding_data": data,
    }


def matches(quote: QuoteRow, links: Mapping[int, list[int]], filters: Filters, user) -> bool:
    if filters.theme_id is not None and filters.theme_id not in links.get(quote.pk, ()):
        return False
    if filters.coder_id is not None and quote.coder_id != filters.coder_id:
        return False
    if filters.mine and quote.coder_id != user.pk:
        return False
    return True


def transcript_html(
    text: str,
    blocks: list[Block],
    quotes: list[Any],
    links: Mapping[int, list[int]],
    theme_by_id: Mapping[int, Theme | ThemeRow],
) -> str:
    """The inside of #transcript for these quotes: the sweep here, the markup in markup.py."""
    spans = [(quote.pk, quote.start, quote.end) for quote in quotes]
    cuts = [edge for block in blocks for edge in (block.start, block.end)]
    return markup.transcript_html(segments(text, spans, cuts), blocks, links, theme_by_id)


def quote_groups(
    quotes: list[Any],
    links: Mapping[int, list[int]],
    theme_by_id: Mapping[int, Theme | ThemeRow],
    paths: Mapping[int, str],
) -> list[QuoteGroup]:
    """The side panel: the shown quotes under each of their themes, in codebook order."""
    groups: dict[int | None, QuoteGroup] = {}
    for theme_id, theme in theme_by_id.items():
        groups[theme_id] = QuoteGroup(theme, paths[theme_id], safe_colour(theme.colour), [])
    loose = QuoteGroup(None, "No theme", NO_THEME_COLOUR, [])
    for quote in quotes:
        ids = links.get(quote.pk) or ()
        for theme_id in ids:
            groups[theme_id].quotes.append(quote)
        if not ids:
            loose.quotes.append(quote)
    result = [group for group in groups.values() if group.quotes]
    if loose.quotes:
        result.append(loose)
    return result


def theme_rows(project: Project, access: ProjectAccess | None = None) -> list[Theme]:
    """Themes in tree order with `depth`, quote and transcript counts (one query).

    With `access`, the counts leave out the quotes the blind rule hides from its user.
    """
    live = Q(codings__content_object__deleted_at__isnull=True)
    viewer = blind_viewer(access) if access is not None else None
    if viewer is not None:
        live &= ~blind_hidden(viewer, prefix="codings__content_object__")
    themes = list(
        Theme.objects.filter(project=project).annotate(
            quote_count=Count("codings__content_object", filter=live, distinct=True),
            transcript_count=Count(
                "codings__content_object__transcript", filter=live, distinct=True
            ),
        )
    )
    return tree_order(themes)


def get_quote(access: ProjectAccess, quote_id: int, *, include_deleted: bool = False) -> Quote:
    """A quote of the accessed project that the member may see (404 otherwise: another
    project's, or hidden by the blind rule); live only unless `include_deleted` (undo)."""
    queryset = visible_quotes(access, include_deleted=include_deleted).select_related(
        "transcript", "coder"
    )
    quote = access_get(access, queryset, quote_id, via="transcript__project", what="quote")
    quote.transcript.project = access.project  # the same row: saves a query
    return quote


def get_theme(access: ProjectAccess, theme_id: int) -> Theme:
    """A theme of the accessed project's codebook (404 for any other id)."""
    return access_get(access, Theme.objects.all(), theme_id, what="theme")
