"""The one place that answers "may this user see or change this object?".

Every view loads its project through `project_page` (HTML) or `project_json` (JSON),
and every object through the getters here. Anything outside the user's projects
answers 404, so that its existence is not disclosed; a member whose role may not do
something gets 403. The rules of who may change what live here too: who may change a
quote (`ProjectAccess.may_edit_quote`, asked by services and by the page's JSON), and
who may clear one for publication (the authoring roles, `can_author`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache, wraps
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Field, Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache

from aefront import errors, rows
from interviews.models import (
    LocalSystem,
    Membership,
    Project,
    SpeakerTurn,
    Transcript,
    parse_spans,
    with_turn_spans,
)

Role = Membership.Role
CODING_ROLES = frozenset({Role.ENABLER, Role.ADMIN})
AUTHORING_ROLES = frozenset({Role.AUTHOR, Role.ADMIN})
IMPORT_ROLES = frozenset({Role.ENABLER, Role.ADMIN})
ALL_ROLES = frozenset(Role)

UserLike = AbstractBaseUser | AnonymousUser


@dataclass(frozen=True)
class ProjectAccess:
    """A project as seen by one member: the project, the member and the member's role.

    Views hold one from the decorators below and hand it to services, so that a
    request reads the membership once.
    """

    project: Project
    role: str
    user: Any = None

    @property
    def can_code(self) -> bool:
        return self.role in CODING_ROLES

    @property
    def can_author(self) -> bool:
        return self.role in AUTHORING_ROLES

    @property
    def can_import(self) -> bool:
        return self.role in IMPORT_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def require(self, roles: frozenset[str], doing: str = "this") -> None:
        if self.role not in roles:
            raise PermissionDenied(f"Your role in this project does not allow {doing}.")

    def may_edit_quote(self, coder_id: int | None) -> bool:
        """Only a quote's coder, or an admin of its project, may change or delete it."""
        return self.can_code and (self.is_admin or coder_id == getattr(self.user, "pk", None))

    def require_quote_editor(self, coder_id: int | None) -> None:
        self.require(CODING_ROLES, "coding")
        if not self.may_edit_quote(coder_id):
            raise PermissionDenied(
                "Only the coder who made this quote, or a project admin, may change it."
            )


def projects_for(user: UserLike) -> QuerySet[Project]:
    """The projects this user is a member of."""
    if not user.is_authenticated or not user.is_active:
        return Project.objects.none()
    return Project.objects.filter(memberships__user=user)


def memberships_for(user: UserLike) -> QuerySet[Membership]:
    """This user's memberships with their projects (one query), for lists of projects."""
    if not user.is_authenticated or not user.is_active:
        return Membership.objects.none()
    return Membership.objects.select_related("project").filter(user=user)


def get_project_access(
    user: UserLike,
    project_slug: str,
    roles: frozenset[str] = ALL_ROLES,
    *,
    read: ReadMembership | None = None,
) -> ProjectAccess:
    """The project with this slug if the user is a member (404 otherwise).

    Raises PermissionDenied (403) if the member's role is not in `roles`. `read`: the
    membership as a statement that had to run anyway read it for this slug and user
    (`membership_join`: the API's token read), so that it is not read twice.
    """
    if not user.is_authenticated or not user.is_active:
        raise Http404("No such project.")
    if read is not None and read.slug == project_slug and read.user_id == user.pk:
        access = read.access
    else:
        with connection.cursor() as cursor:
            cursor.execute(_membership_sql(), [user.pk, project_slug])
            row = cursor.fetchone()
        access = access_from_row(user, row, 0) if row is not None else None
    if access is None:
        raise Http404("No such project.")
    access.require(roles)
    return access


@dataclass(frozen=True)
class ReadMembership:
    """What `membership_join` found for one user and project slug (access None: the
    user is not a member of a project with that slug)."""

    slug: str
    user_id: int
    access: ProjectAccess | None


def membership_join(user_id_column: str) -> tuple[str, str]:
    """The select list and the LEFT JOIN that add a user's membership of the project
    whose slug is the JOIN's one parameter to another statement (one round trip for
    both); `access_from_row` reads the columns back."""
    q = connection.ops.quote_name
    join = (
        f"LEFT JOIN ({q(Membership._meta.db_table)} m JOIN {q(Project._meta.db_table)} p "
        f"ON p.{q('id')} = m.{q('project_id')} AND p.{q('slug')} = %s) "
        f"ON m.{q('user_id')} = {user_id_column}"
    )
    return _membership_columns(), join


def _membership_columns() -> str:
    """The role and the project's columns, in the order `access_from_row` reads them."""
    return f"m.{connection.ops.quote_name('role')}, {rows.select_list(Project, 'p')}"


def access_from_row(user: UserLike, row: Sequence[Any], at: int) -> ProjectAccess | None:
    """The access whose columns (`membership_join`'s, or the membership read's) start at
    `row[at]`; None when the row has no membership (the LEFT JOIN found none)."""
    if row[at] is None:
        return None
    project, _ = rows.instance(Project, row, at + 1)
    return ProjectAccess(project=project, role=row[at], user=user)


@cache
def _membership_sql() -> str:
    """Every project request runs it: one constant statement for the role and the project
    (not a query compiled each time; aefront/rows.py)."""
    q = connection.ops.quote_name
    return (
        f"SELECT {_membership_columns()} FROM {q(Membership._meta.db_table)} m JOIN {q(Project._meta.db_table)} p "
        f"ON p.{q('id')} = m.{q('project_id')} WHERE m.{q('user_id')} = %s AND p.{q('slug')} = %s"
    )


M = TypeVar("M", bound=Model)


def get_in_project(
    access: ProjectAccess, queryset: QuerySet[M], pk: object, *, via: str = "project", what: str
) -> M:
    """The object with this id if it belongs to the accessed project (404 otherwise).

    `via` is the lookup from the object to its project ("transcript__project" for a
    quote); `what` names it in the 404 ("quote").
    """
    found = queryset.filter(pk=pk, **{via: access.project}).first()
    if found is None:
        raise Http404(f"No such {what}.")
    return found


def transcripts_for(access: ProjectAccess) -> QuerySet[Transcript]:
    return Transcript.objects.filter(project=access.project)


def get_transcript(
    access: ProjectAccess,
    transcript_id: int,
    *,
    turn_spans: bool = False,
    annotate: Mapping[str, Any] | None = None,
) -> Transcript:
    """A transcript of the accessed project (404 for any other id).

    `turn_spans`: with its turns' offsets read in the same query (for writes of quotes,
    which must lie inside one turn). `annotate`: more values read in the same query
    (the coding page's: whether there is a round, the caller's status)."""
    queryset = Transcript.objects.select_related("local_system", "enabler")
    if turn_spans:
        queryset = with_turn_spans(queryset)
    if annotate:
        queryset = queryset.annotate(**annotate)
    transcript = get_in_project(
        access,
        queryset,
        transcript_id,
        what="transcript",
    )
    transcript.project = access.project  # the same row: saves a query
    return transcript


@dataclass(frozen=True)
class Column:
    """A value read with a transcript by `get_transcript_with`: `sql` is an expression
    over the transcript row `t` (a subquery, an EXISTS) taking `params`, converted as
    `field`'s own column, and set on the transcript as `name`."""

    name: str
    sql: str
    field: Field
    params: tuple = ()


def get_transcript_with(
    access: ProjectAccess, transcript_id: int, columns: Sequence[Column] = ()
) -> Transcript:
    """`get_transcript(access, transcript_id)` with its local system and enabler, and
    with `columns`, in one constant statement (aefront/rows.py): the coding page's read,
    which through the ORM cost 3 ms of Python to compile its subqueries for 0.1 ms of
    database time. 404 for any other project's transcript or a binned one."""
    user_model = get_user_model()
    with connection.cursor() as cursor:
        cursor.execute(
            _transcript_sql(tuple(column.sql for column in columns)),
            [param for column in columns for param in column.params]
            + [transcript_id, access.project.pk],
        )
        row = cursor.fetchone()
    if row is None:
        raise Http404("No such transcript.")
    transcript, at = rows.instance(Transcript, row, 0)
    cache = transcript._state.fields_cache
    for name, model in (("local_system", LocalSystem), ("enabler", user_model)):
        related, after = rows.instance(model, row, at)
        cache[name] = related if row[at] is not None else None  # a LEFT JOIN's NULLs
        at = after
    for column, value in zip(columns, row[at:], strict=True):
        setattr(transcript, column.name, rows.converted(value, column.field))
    transcript.project = access.project  # the same row: saves a query
    return transcript


@lru_cache(maxsize=16)
def _transcript_sql(columns: tuple[str, ...]) -> str:
    q = connection.ops.quote_name
    users = q(get_user_model()._meta.db_table)
    extra = "".join(f", ({sql})" for sql in columns)
    return (
        f"SELECT {rows.select_list(Transcript, 't')}, {rows.select_list(LocalSystem, 'ls')}, "
        f"{rows.select_list(get_user_model(), 'u')}{extra} "
        f"FROM {q(Transcript._meta.db_table)} t "
        f"LEFT JOIN {q(LocalSystem._meta.db_table)} ls ON ls.{q('id')} = t.{q('local_system_id')} "
        f"LEFT JOIN {users} u ON u.{q('id')} = t.{q('enabler_id')} "
        f"WHERE t.{q('id')} = %s AND t.{q('project_id')} = %s AND t.{q('deleted_at')} IS NULL"
    )


def get_transcript_for_passage(
    access: ProjectAccess, transcript_id: int, start: int, end: int
) -> Transcript:
    """A transcript of the accessed project (404 for any other id), read for a write of
    the quote [start, end): its fields and its turns' offsets, and of its text only that
    passage, not the whole text a long interview holds (nor its length, which would
    read it all), and of its turns only those the passage meets, and whether it has any
    (for the one-turn rule, not every turn's offsets). One constant statement
    (aefront/rows.py); `Transcript.holds()`, `.passage()` and `.turns_around()` answer
    from it, and the text itself stays deferred."""
    read = PassageRead(access, transcript_id, start, end)
    with connection.cursor() as cursor:
        cursor.execute(passage_sql(connection.vendor), read.params())
        row = cursor.fetchone()
    return read.transcript(row)[0]


@dataclass(frozen=True)
class PassageRead:
    """The read `get_transcript_for_passage` makes, for a caller that joins more to it
    in the same statement (`passage_sql`'s `joined`: the themes of a quote's write)."""

    access: ProjectAccess
    transcript_id: int
    start: int
    end: int

    def span(self) -> tuple[int, int]:
        # Offsets no text can reach are left to the quote's own check (which reads it).
        start, end = (min(max(int(offset), 0), MAX_OFFSET) for offset in (self.start, self.end))
        return start, end

    def params(self, joined: Sequence[Any] = ()) -> list[Any]:
        start, end = self.span()
        return [
            *(start + 1, max(end - start, 0), end, start),
            *joined,
            *(self.transcript_id, self.access.project.pk),
        ]

    def transcript(self, row: Sequence[Any] | None) -> tuple[Transcript, int]:
        """The transcript read from `row` (404 when there is none), and the index of the
        first column after the passage's."""
        if row is None:
            raise Http404("No such transcript.")
        start, end = self.span()
        transcript, at = rows.instance(Transcript, row, 0, exclude=NOT_TEXT)
        passage, overlapping, has_turns = row[at : at + 3]
        transcript.passage_read = (start, end, passage)
        transcript.turns_read = (start, end, bool(has_turns), parse_spans(overlapping))
        transcript.project = self.access.project  # the same row: saves a query
        return transcript, at + 3


NOT_TEXT = frozenset({"text"})
MAX_OFFSET = 2**31 - 2  # SUBSTR takes 32-bit integers on PostgreSQL


@cache
def passage_sql(vendor: str, columns: str = "", joined: str = "") -> str:
    """The statement of `PassageRead`: more `columns` after the passage's, from the
    tables `joined` to the transcript `t` (their parameters go between the passage's
    and the transcript's, as `PassageRead.params` places them)."""
    q = connection.ops.quote_name
    turns = q(SpeakerTurn._meta.db_table)
    span = f"CAST(s.{q('start')} AS TEXT) || '-' || CAST(s.{q('end')} AS TEXT)"
    spans = f"STRING_AGG({span}, ',')" if vendor == "postgresql" else f"GROUP_CONCAT({span}, ',')"
    of_this = f"s.{q('transcript_id')} = t.{q('id')}"
    return (
        f"SELECT {rows.select_list(Transcript, 't', NOT_TEXT)}, SUBSTR(t.{q('text')}, %s, %s), "
        f"(SELECT {spans} FROM {turns} s "
        f"WHERE {of_this} AND s.{q('start')} < %s AND %s < s.{q('end')}), "
        f"EXISTS (SELECT 1 FROM {turns} s WHERE {of_this}){', ' + columns if columns else ''} "
        f"FROM {q(Transcript._meta.db_table)} t {joined} "
        f"WHERE t.{q('id')} = %s AND t.{q('project_id')} = %s"
    )


def admin_project_ids(user: UserLike) -> QuerySet | None:
    """Projects whose objects this user may manage in Django admin (None: all)."""
    if user.is_superuser:
        return None
    return Membership.objects.filter(user=user, role=Role.ADMIN).values("project_id")


# --- view decorators ---------------------------------------------------------------------

View = Callable[..., HttpResponse]


def project_page(roles: frozenset[str] = ALL_ROLES, methods: Iterable[str] = ("GET",)):
    """An HTML page of one project: `view(request, access, **kwargs)`.

    The project is loaded first, so an outsider gets 404 whatever the method; then the
    role (403) and the method (405). Every project page shows interview content, so
    none may be cached (`Cache-Control: no-store`).
    """
    allowed = tuple(methods)

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, project_slug: str, **kwargs: Any) -> HttpResponse:
            project_access = get_project_access(request.user, project_slug, roles)
            if request.method not in allowed:
                return HttpResponseNotAllowed(allowed)
            response = view(request, project_access, **kwargs)
            if not response.has_header("Cache-Control"):  # downloads set their own
                add_never_cache_headers(response)
            return response

        return wrapper

    return decorate


def project_json(methods: Iterable[str], roles: frozenset[str] = ALL_ROLES):
    """A JSON endpoint of one project: `view(request, access, **kwargs)`.

    Every refusal answers `{"error": sentence}` with its status: 404 for another
    project's objects, 403 for a role, 405 for a method, 400 (or the `UserError`'s
    own status) for bad input. Nothing is cached.
    """
    allowed = tuple(methods)

    def decorate(view: View) -> View:
        @wraps(view)
        @never_cache
        def wrapper(request: HttpRequest, project_slug: str, **kwargs: Any) -> HttpResponse:
            try:
                project_access = get_project_access(request.user, project_slug)
                if request.method not in allowed:
                    response = errors.json_error(f"Use {' or '.join(allowed)} here.", status=405)
                    response["Allow"] = ", ".join(allowed)
                    return response
                project_access.require(roles)
                return view(request, project_access, **kwargs)
            except Http404:
                return errors.json_error("Not found.", status=404)
            except PermissionDenied as denied:
                return errors.json_error(str(denied) or "Your role does not allow this.", 403)
            except ValidationError as invalid:
                return errors.json_error(errors.sentence(invalid), errors.status_of(invalid))

        return wrapper

    return decorate
