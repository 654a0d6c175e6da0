"""manage.py export_report PROJECT --format {docx,md,html,csv,xlsx} -o FILE [filters]"""

from __future__ import annotations

import datetime
import os
import shutil
import tempfile
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from aefront.errors import sentence
from coding.report.exports import EXPORTERS, FORMATS, Source, write_export
from coding.report.exports.rows import ExportOptions
from coding.report.review import ReviewError, sign_off
from coding.report.summaries import Filters
from interviews.access import AUTHORING_ROLES, ProjectAccess, get_project_access
from interviews.models import LocalSystem, OrganisationType, Project


def parse_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date: use YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = (
        "Export a project's report (docx, md, html) or its coded quotes (csv, xlsx). "
        "Quote text is redacted with the project's redaction list and participants' real "
        "names; attributions give role and organisation type only unless you opt in. "
        "The report formats (docx, md, html) publish only quotes cleared for publication "
        "unless --all-quotes is given; csv and xlsx list every coded quote with a "
        "'cleared' column."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("project", help="the project's slug")
        parser.add_argument("--format", required=True, choices=FORMATS, dest="fmt")
        parser.add_argument(
            "-o", "--output", required=True, help="file to write (replaced atomically)"
        )
        parser.add_argument("--system", help="only this local system (by name)")
        parser.add_argument(
            "--organisation-type",
            choices=OrganisationType.values,
            help="only speakers of this organisation type",
        )
        parser.add_argument("--from", dest="date_from", help="interviews on or after YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", help="interviews on or before YYYY-MM-DD")
        parser.add_argument("--coder", help="only quotes coded by this username")
        parser.add_argument(
            "--all-quotes",
            action="store_true",
            help="docx, md, html: include quotes not yet cleared for publication",
        )
        parser.add_argument(
            "--with-pseudonyms", action="store_true", help="add pseudonyms to attributions"
        )
        parser.add_argument(
            "--with-systems", action="store_true", help="add local system names to attributions"
        )
        parser.add_argument(
            "--sign-off-as",
            metavar="USERNAME",
            help="docx, md, html: write the final report, signed off by this author "
            "(refused while the identifier review has open flags); without it, a "
            "watermarked draft",
        )
        parser.add_argument(
            "--with-memos", action="store_true", help="csv, xlsx: add the coders' memos (redacted)"
        )
        parser.add_argument(
            "--with-contents", action="store_true", help="docx: add a table of contents"
        )
        parser.add_argument(
            "--with-appendix",
            action="store_true",
            help="docx: add the table of themes by local system as an appendix",
        )

    def handle(self, *args, **options) -> None:
        project = Project.objects.filter(slug=options["project"]).first()
        if project is None:
            raise CommandError(f"No project with the slug {options['project']!r}.")
        filters = self.filters(project, options)
        export_options = ExportOptions(
            all_quotes=options["all_quotes"],
            with_pseudonyms=options["with_pseudonyms"],
            with_systems=options["with_systems"],
            with_memos=options["with_memos"],
            with_contents=options["with_contents"],
            with_appendix=options["with_appendix"],
        )
        target = Path(options["output"])
        if target.is_dir():
            raise CommandError(f"{target} is a directory: give a file name with -o.")
        if not target.parent.exists():
            raise CommandError(f"The folder {target.parent} does not exist.")
        signer = self.signer(project, options) if options["sign_off_as"] else None
        # Written next to the target and renamed: a failure leaves no half-written file.
        handle, temporary = tempfile.mkstemp(prefix=".export-", dir=target.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                if signer is None:
                    written = write_export(
                        project=project,
                        fmt=options["fmt"],
                        filters=filters,
                        options=export_options,
                        out=out,
                    )
                else:
                    written = self.signed(signer, options["fmt"], filters, export_options, out)
            os.replace(temporary, target)
        except OSError as error:
            raise CommandError(f"Could not write {target}: {error.strerror or error}.") from None
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        self.stdout.write(f"Wrote {options['fmt']} of {project.slug} ({written}) to {target}")

    def signer(self, project: Project, options: dict) -> ProjectAccess:
        username = options["sign_off_as"]
        user = get_user_model().objects.filter(username=username).first()
        try:
            if user is None:
                raise Http404
            return get_project_access(user, project.slug, AUTHORING_ROLES)
        except (Http404, PermissionDenied):
            raise CommandError(
                f"{username!r} is not an author or admin of {project.slug}: only they sign off."
            ) from None

    def signed(self, access: ProjectAccess, fmt: str, filters, export_options, out) -> str:
        exporter = EXPORTERS[fmt]
        source = Source(access.project, filters, export_options, final=True)
        try:
            record, spool = sign_off(
                access=access, exporter=exporter, source=source, user=access.user
            )
        except ReviewError as error:
            raise CommandError(sentence(error)) from None
        shutil.copyfileobj(spool, out)
        return f"final, signed off by {access.user.get_username()}, sha256 {record.sha256}"

    def filters(self, project: Project, options: dict) -> Filters:
        system_id = None
        if options["system"]:
            system = LocalSystem.objects.filter(
                project=project, name__iexact=options["system"].strip()
            ).first()
            if system is None:
                names = ", ".join(
                    LocalSystem.objects.filter(project=project).values_list("name", flat=True)
                )
                raise CommandError(
                    f"No local system {options['system']!r} in {project.slug}. "
                    f"Known: {names or 'none'}."
                )
            system_id = system.pk
        coder_id = None
        if options["coder"]:
            coder = (
                get_user_model()
                .objects.filter(username=options["coder"], memberships__project=project)
                .first()
            )
            if coder is None:
                raise CommandError(f"No member {options['coder']!r} in {project.slug}.")
            coder_id = coder.pk
        date_from = parse_date(options["date_from"]) if options["date_from"] else None
        date_to = parse_date(options["date_to"]) if options["date_to"] else None
        if date_from and date_to and date_from > date_to:
            raise CommandError("--to is before --from.")
        return Filters(
            local_system_id=system_id,
            organisation_type=options["organisation_type"] or "",
            date_from=date_from,
            date_to=date_to,
            coder_id=coder_id,
        )
