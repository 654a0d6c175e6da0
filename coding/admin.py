"""Django admin for the codebook: themes (nested, counted, merged, retired), summaries,
redaction terms. Scoped to the project admin's own projects (interviews.admin_scope).

It also extends the project and transcript pages of interviews.admin with what the
codebook knows (theme and quote counts, copying a codebook), so that interviews never
imports coding.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import ValidationError
from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce, Lower
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.html import format_html
from taggit.models import Tag

from coding.models import HeadlineQuote, Quote, QuoteTheme, RedactionTerm, Theme, ThemeSummary
from coding.refi.export import export_codebook
from coding.report.exports.admin_actions import export_quotes_csv
from coding.taxonomy import copy_codebook, merge_themes, reactivate_themes, retire_themes
from coding.tree import placed
from interviews import admin as interviews_admin
from interviews.admin_scope import (
    ProjectFixedAdmin,
    ProjectFixedForm,
    ProjectScopedInline,
    count_of,
    project_choices,
)
from interviews.models import Project, Transcript


def _codings_count(field: str) -> Coalesce:
    """Distinct live quotes (or their transcripts) coded with the outer theme.

    A correlated subquery rather than a grouped join: the admin's pagination count and
    project filter drop an unused subquery annotation, but a join would be kept in them
    (measured 4× slower on the bench project, bench/taxonomy.py).
    """
    counted = (
        QuoteTheme.objects.filter(tag=OuterRef("pk"), content_object__deleted_at__isnull=True)
        .order_by()
        .values("tag")
        .annotate(n=Count(field, distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


# taggit's global Tag is unused: themes are the tags here, one codebook per project.
if admin.site.is_registered(Tag):
    admin.site.unregister(Tag)

# Sorting a two-level codebook as a tree: by the top-level theme's name first.
ROOT_NAME = Coalesce(Lower("parent__name"), Lower("name"))


class ThemeChangeList(ChangeList):
    """Adds each row's full "Parent › Child" path with one query for the whole page."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        self.result_list = list(self.result_list)
        project_ids = {theme.project_id for theme in self.result_list}
        nodes = Theme.objects.filter(project_id__in=project_ids).only("name", "parent_id", "order")
        where = {place.item.pk: place for place in placed(nodes.order_by())}
        for theme in self.result_list:
            place = where[theme.pk]
            theme.tree_path, theme.tree_depth = place.path, place.depth


class ThemeForm(ProjectFixedForm):
    class Meta:
        model = Theme
        fields = [
            "project",
            "name",
            "slug",
            "parent",
            "description",
            "colour",
            "order",
            "is_active",
            "is_proposed",
        ]
        widgets = {"colour": forms.TextInput(attrs={"type": "color"})}
        help_texts = {
            "slug": "Leave empty to make it from the name. Renaming a theme renews the slug "
            "unless you change the slug yourself.",
            "colour": "Highlight colour behind dark text: choose a light one.",
            "order": "Position among its siblings (lower first).",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False


@admin.register(Theme)
class ThemeAdmin(ProjectFixedAdmin):
    form = ThemeForm
    list_display = [
        "tree_name",
        "swatch",
        "short_description",
        "is_active",
        "is_proposed",
        "quote_count",
        "transcript_count",
        "project",
    ]
    list_display_links = ["tree_name"]
    list_filter = [("project", admin.RelatedOnlyFieldListFilter), "is_active", "is_proposed"]
    search_fields = ["name", "description"]
    list_select_related = ["project"]
    list_per_page = 100
    readonly_fields = ["proposed_by", "created_at"]
    actions = ["merge_selected", "retire_selected", "reactivate_selected", export_quotes_csv]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Two levels sort as a tree (parents, then their children); deeper levels
        # still show their full path.
        return (
            super()
            .get_queryset(request)
            .annotate(
                quote_n=_codings_count("content_object"),
                transcript_n=_codings_count("content_object__transcript"),
            )
        )

    def get_ordering(self, request: HttpRequest) -> list[Any]:
        return [
            "project__name",
            Coalesce("parent__order", "order").asc(),
            ROOT_NAME.asc(),
            F("parent_id").asc(nulls_first=True),
            "order",
            Lower("name").asc(),
        ]

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return ThemeChangeList

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None and "parent" in form.base_fields:
            # Only themes of the same codebook, and never the theme itself.
            field = form.base_fields["parent"]
            field.queryset = field.queryset.filter(project_id=obj.project_id).exclude(pk=obj.pk)
        return form

    def save_model(self, request: HttpRequest, obj: Theme, form: forms.Form, change: bool) -> None:
        renamed = change and "name" in form.changed_data and "slug" not in form.changed_data
        if renamed or not obj.slug:
            obj.slug = obj.unique_slug()
        super().save_model(request, obj, form, change)

    @admin.display(description="theme", ordering=ROOT_NAME)
    def tree_name(self, theme: Theme) -> str:
        return getattr(theme, "tree_path", theme.name)

    @admin.display(description="colour")
    def swatch(self, theme: Theme) -> str:
        return format_html(
            '<span style="display:inline-block;width:1.4em;height:1.4em;'
            'border:1px solid #0006;vertical-align:middle;background:{}" '
            'title="{}"></span> <code>{}</code>',
            theme.colour,
            theme.colour,
            theme.colour,
        )

    @admin.display(description="description")
    def short_description(self, theme: Theme) -> str:
        text = theme.description
        return text if len(text) <= 90 else text[:87] + "…"

    @admin.display(description="quotes", ordering="quote_n")
    def quote_count(self, theme: Theme) -> int:
        return theme.quote_n

    @admin.display(description="transcripts", ordering="transcript_n")
    def transcript_count(self, theme: Theme) -> int:
        return theme.transcript_n

    @admin.action(
        description="Retire selected themes (hide from pickers, keep codings)",
        permissions=["change"],
    )
    def retire_selected(self, request: HttpRequest, queryset: QuerySet[Theme]) -> None:
        count = retire_themes(themes=queryset)
        self.message_user(
            request, f"Retired {count} theme(s). Their codings are kept.", messages.SUCCESS
        )

    @admin.action(description="Reactivate selected themes", permissions=["change"])
    def reactivate_selected(self, request: HttpRequest, queryset: QuerySet[Theme]) -> None:
        count = reactivate_themes(themes=queryset)
        self.message_user(request, f"Reactivated {count} theme(s).", messages.SUCCESS)

    @admin.action(description="Merge selected themes…", permissions=["change"])
    def merge_selected(
        self, request: HttpRequest, queryset: QuerySet[Theme]
    ) -> HttpResponse | None:
        themes = list(queryset)
        if len(themes) < 2:
            self.message_user(request, "Select at least two themes to merge.", messages.ERROR)
            return None
        if len({theme.project_id for theme in themes}) > 1:
            self.message_user(
                request, "Themes of different projects cannot be merged.", messages.ERROR
            )
            return None
        form = MergeForm(request.POST if "apply" in request.POST else None, themes=themes)
        if form.is_bound and form.is_valid():
            survivor = form.cleaned_data["survivor"]
            try:
                result = merge_themes(
                    survivor=survivor, others=[t for t in themes if t.pk != survivor.pk]
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request,
                    f"Merged {', '.join(result.merged_names)} into {result.survivor.name}: "
                    f"{result.codings_moved} coding(s) moved, "
                    f"{result.duplicates_dropped} duplicate(s) dropped, "
                    f"{result.children_moved} child theme(s) moved.",
                    messages.SUCCESS,
                )
                return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Merge themes",
            "opts": self.model._meta,
            "themes": themes,
            "project": themes[0].project,
            "form": form,
            "action_name": "merge_selected",
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/coding/theme/merge_confirmation.html", context)


class MergeForm(forms.Form):
    survivor = forms.TypedChoiceField(
        label="Keep this theme",
        coerce=int,
        widget=forms.RadioSelect,
        help_text="Every coding of the other themes moves to it; the others are deleted.",
    )

    def __init__(self, *args: Any, themes: list[Theme], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.themes = {theme.pk: theme for theme in themes}
        self.fields["survivor"].choices = [
            (theme.pk, f"{theme.name} ({getattr(theme, 'quote_n', 0)} quotes)") for theme in themes
        ]

    def clean_survivor(self) -> Theme:
        return self.themes[self.cleaned_data["survivor"]]


class HeadlineQuoteInline(ProjectScopedInline):
    model = HeadlineQuote
    extra = 0
    fields = ["position", "quote_text"]
    readonly_fields = ["position", "quote_text"]
    ordering = ["position"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # report authors pick headlines on the summary page

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("quote")

    @admin.display(description="quote")
    def quote_text(self, headline: HeadlineQuote) -> str:
        return str(headline.quote)


class ThemeSummaryForm(ProjectFixedForm):
    class Meta:
        model = ThemeSummary
        fields = ["project", "theme", "narrative"]

    same_project_fields = {"theme": "This theme belongs to another project."}


@admin.register(ThemeSummary)
class ThemeSummaryAdmin(ProjectFixedAdmin):
    form = ThemeSummaryForm
    list_display = ["theme", "project", "version", "updated_by", "updated_at"]
    list_filter = [("project", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["theme__name", "narrative"]
    list_select_related = ["theme", "project", "updated_by"]
    readonly_fields = ["version", "updated_by", "updated_at"]
    inlines = [HeadlineQuoteInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, "theme"] if obj is not None else readonly

    def save_model(
        self, request: HttpRequest, obj: ThemeSummary, form: forms.Form, change: bool
    ) -> None:
        obj.updated_by = request.user
        if change:
            obj.version += 1
        super().save_model(request, obj, form, change)


@admin.register(RedactionTerm)
class RedactionTermAdmin(ProjectFixedAdmin):
    list_display = ["term", "replacement", "project"]
    list_filter = [("project", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["term"]
    list_select_related = ["project"]
    fields = ["project", "term", "replacement"]


# --- what the codebook adds to the project and transcript pages ---------------------------


class CopyCodebookForm(forms.Form):
    source = forms.ModelChoiceField(
        queryset=Project.objects.none(),
        label="Copy the codebook of",
        help_text="Names, descriptions, colours, order and nesting of its active themes. "
        "Codings are not copied.",
    )

    def __init__(self, *args: Any, sources: QuerySet[Project], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = sources


admin.site.unregister(Project)


@admin.register(Project)
class ProjectAdmin(interviews_admin.ProjectAdmin):
    list_display = [*interviews_admin.ProjectAdmin.list_display, "theme_count"]
    actions = ["copy_codebook_action", "export_qdc_action"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        themes = count_of(Theme.objects.all(), "project")
        return super().get_queryset(request).annotate(themes_n=themes)

    @admin.display(description="themes", ordering="themes_n")
    def theme_count(self, obj: Project) -> int:
        return obj.themes_n

    @admin.action(
        description="Start from a copy of another project’s codebook…", permissions=["change"]
    )
    def copy_codebook_action(
        self, request: HttpRequest, queryset: QuerySet[Project]
    ) -> HttpResponse | None:
        targets = list(queryset)
        if len(targets) != 1:
            self.message_user(
                request,
                "Select exactly one project to copy a codebook into.",
                messages.ERROR,
            )
            return None
        target = targets[0]
        sources = project_choices(request).exclude(pk=target.pk).order_by("name")
        if "apply" in request.POST:
            form = CopyCodebookForm(request.POST, sources=sources)
            if form.is_valid():
                try:
                    copies = copy_codebook(source=form.cleaned_data["source"], target=target)
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    self.message_user(
                        request,
                        f"Copied {len(copies)} themes from “{form.cleaned_data['source']}” "
                        f"into “{target}”.",
                        messages.SUCCESS,
                    )
                    return None
        else:
            form = CopyCodebookForm(sources=sources)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Copy a codebook into {target}",
            "opts": self.model._meta,
            "target": target,
            "form": form,
            "action_name": "copy_codebook_action",
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "selected": [target.pk],
        }
        return TemplateResponse(request, "admin/interviews/project/copy_codebook.html", context)

    @admin.action(description="Export the codebook as REFI-QDA (.qdc)", permissions=["view"])
    def export_qdc_action(
        self, request: HttpRequest, queryset: QuerySet[Project]
    ) -> HttpResponse | None:
        projects = list(queryset)
        if len(projects) != 1:
            self.message_user(request, "Select exactly one project.", messages.ERROR)
            return None
        response = HttpResponse(export_codebook(project=projects[0]), content_type="text/xml")
        filename = f"{projects[0].slug}-codebook.qdc"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "no-store"
        return response


admin.site.unregister(Transcript)


@admin.register(Transcript)
class TranscriptAdmin(interviews_admin.TranscriptAdmin):
    list_display = [*interviews_admin.TranscriptAdmin.list_display, "quotes"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        quotes = count_of(Quote.objects.all(), "transcript")
        return super().get_queryset(request).annotate(quotes_n=quotes)

    @admin.display(description="quotes", ordering="quotes_n")
    def quotes(self, obj: Transcript) -> int:
        return obj.quotes_n
