"""Forms of the import pages: the upload (many files or one) and the speaker review step."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django import forms

from interviews.models import LocalSystem, OrganisationType, Participant, Project, Transcript
from interviews.parsing import formats
from interviews.services import SpeakerChoice

INTERVIEWER_CHOICE = "interviewer"
NEW_CHOICE = "new"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": formats.ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


class LocalSystemField(forms.ChoiceField):
    """A choice of the project's local systems, read once per form (not once per field)."""

    def __init__(self, systems: Sequence[LocalSystem], **kwargs) -> None:
        self.systems = {str(system.pk): system for system in systems}
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "Local system")
        choices = [("", "— not set —")] + [(key, s.name) for key, s in self.systems.items()]
        super().__init__(choices=choices, **kwargs)

    def prepare_value(self, value):
        return str(value.pk) if isinstance(value, LocalSystem) else value

    def clean(self, value) -> LocalSystem | None:
        value = super().clean(value)
        return self.systems.get(str(value)) if value else None

    def has_changed(self, initial, data) -> bool:
        return str(self.prepare_value(initial) or "") != str(data or "")


def _local_system_field(project: Project) -> LocalSystemField:
    return LocalSystemField(list(LocalSystem.objects.filter(project=project)))


class UploadForm(forms.Form):
    """The upload page without JavaScript: several files in one request."""

    files = MultipleFileField(
        required=False,
        allow_empty_file=True,  # an empty file is refused by name, not by a form error
        label="Transcript files",
        help_text=f"{formats.DESCRIPTION} files.",
    )
    local_system = forms.CharField(required=False)  # replaced per project in __init__

    def __init__(self, *args, project: Project, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["local_system"] = _local_system_field(project)
        self.fields["local_system"].help_text = "Applies to every file of this upload."


class FileUploadForm(forms.Form):
    """One file, as sent by the upload page's script."""

    file = forms.FileField(allow_empty_file=True, max_length=1000)
    local_system = forms.CharField(required=False)  # replaced per project in __init__

    def __init__(self, *args, project: Project, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["local_system"] = _local_system_field(project)


class ArchiveForm(forms.Form):
    """Many transcripts at once: a .zip imported in the background (imports/background.py)."""

    prefix = "zip"  # beside the upload form on one page: ids of its own
    archive = forms.FileField(
        label="A .zip of transcript files",
        help_text="Up to 500 files of the kinds above; imported in the background.",
    )
    local_system = forms.CharField(required=False)  # replaced per project in __init__

    def __init__(self, *args, project: Project, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["local_system"] = _local_system_field(project)
        self.fields["local_system"].help_text = "Applies to every file of the archive."


@dataclass(frozen=True)
class SpeakerRow:
    """A detected speaker as the review page shows it."""

    label: str
    sample: str
    turns: int
    participant: Participant | None
    is_interviewer: bool


class ReviewForm(forms.Form):
    """Transcript details plus, per detected speaker, who they are."""

    title = forms.CharField(max_length=300)
    title_is_safe = forms.BooleanField(
        required=False,
        label="The title names no one: exports may show it",
        help_text="Unticked, exports call this transcript “Interview N”.",
    )
    interview_date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        label="Interview date",
    )
    local_system = forms.CharField(required=False)  # replaced per project in __init__

    def __init__(
        self,
        *args,
        transcript: Transcript,
        speakers: Sequence[SpeakerRow],
        participants: Sequence[Participant],
        suggestions: Sequence[str],
        locked: bool,
        **kwargs,
    ) -> None:
        kwargs.setdefault(
            "initial",
            {
                "title": transcript.title,
                "title_is_safe": transcript.title_is_safe,
                "interview_date": transcript.interview_date,
                "local_system": transcript.local_system_id,
            },
        )
        super().__init__(*args, **kwargs)
        project = transcript.project
        systems = list(LocalSystem.objects.filter(project=project))
        self.fields["local_system"] = LocalSystemField(systems)
        self.speakers = list(speakers)
        self.locked = locked
        self.participants = {f"p{participant.pk}": participant for participant in participants}
        targets = [
            (INTERVIEWER_CHOICE, "the interviewer"),
            (NEW_CHOICE, "a new participant"),
        ] + [
            (key, f"{p.pseudonym}" + (f" – {p.attribution}" if p.attribution else ""))
            for key, p in self.participants.items()
        ]
        for number, speaker in enumerate(self.speakers):
            current = speaker.participant
            if speaker.is_interviewer:
                target = INTERVIEWER_CHOICE
            elif current is not None:
                target = f"p{current.pk}"
            else:
                target = NEW_CHOICE
            prefix = f"s{number}_"
            fields = {
                "target": forms.ChoiceField(choices=targets, initial=target, label="is"),
                "pseudonym": forms.CharField(
                    max_length=40,
                    required=False,
                    initial=suggestions[number] if number < len(suggestions) else "",
                    label="New pseudonym",
                    help_text="Only for a new participant.",
                ),
                "role_title": forms.CharField(
                    max_length=200,
                    required=False,
                    initial=current.role_title if current else "",
                    label="Role title",
                ),
                "organisation_type": forms.ChoiceField(
                    choices=OrganisationType.choices,
                    initial=current.organisation_type if current else OrganisationType.OTHER,
                    label="Organisation type",
                ),
                "local_system": LocalSystemField(
                    systems,
                    initial=(current.local_system_id if current else transcript.local_system_id),
                    label="Participant's local system",
                ),
                "remember_name": forms.BooleanField(
                    required=False,
                    initial=True,
                    label="Keep the spoken name to redact it from exports",
                    help_text=(
                        "Stored on the server only, never shown in exports. Speaker "
                        "labels are redacted from exports either way."
                    ),
                ),
            }
            for name, field in fields.items():
                field.disabled = locked
                self.fields[prefix + name] = field

    def speaker_fields(self) -> list[tuple[SpeakerRow, dict[str, forms.BoundField]]]:
        """Each speaker with its bound fields, for the template."""
        names = ("target", "pseudonym", "role_title", "organisation_type", "local_system",
                 "remember_name")  # fmt: skip
        return [
            (speaker, {name: self[f"s{number}_{name}"] for name in names})
            for number, speaker in enumerate(self.speakers)
        ]

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.locked:
            return cleaned
        taken = {p.pseudonym.casefold(): p.pseudonym for p in self.participants.values()}
        chosen: dict[str, str] = {}
        for number, speaker in enumerate(self.speakers):
            prefix = f"s{number}_"
            if cleaned.get(prefix + "target") != NEW_CHOICE:
                continue
            pseudonym = " ".join((cleaned.get(prefix + "pseudonym") or "").split())
            if not pseudonym:
                self.add_error(prefix + "pseudonym", f"Give {speaker.label} a pseudonym.")
            elif pseudonym.casefold() in taken:
                self.add_error(
                    prefix + "pseudonym",
                    f"{taken[pseudonym.casefold()]} is already a participant: "
                    "choose it from the list instead.",
                )
            elif pseudonym.casefold() in chosen:
                self.add_error(
                    prefix + "pseudonym",
                    f"{pseudonym} is also given to {chosen[pseudonym.casefold()]}.",
                )
            else:
                chosen[pseudonym.casefold()] = speaker.label
                cleaned[prefix + "pseudonym"] = pseudonym
        return cleaned

    def mapping(self) -> dict[str, SpeakerChoice] | None:
        """The speaker choices for remap_speakers (None while the mapping is locked)."""
        if self.locked:
            return None
        mapping = {}
        for number, speaker in enumerate(self.speakers):
            prefix = f"s{number}_"
            target = self.cleaned_data[prefix + "target"]
            details = {
                name: self.cleaned_data[prefix + name]
                for name in ("role_title", "organisation_type", "local_system")
            }
            remember = bool(self.cleaned_data.get(prefix + "remember_name"))
            if target == INTERVIEWER_CHOICE:
                mapping[speaker.label] = SpeakerChoice(interviewer=True)
            elif target == NEW_CHOICE:
                mapping[speaker.label] = SpeakerChoice(
                    new_pseudonym=self.cleaned_data[prefix + "pseudonym"],
                    details=details,
                    remember_name=remember,
                )
            else:
                # Details describe the participant shown when the page was drawn: only
                # fields the enabler changed are written to the chosen participant.
                changed = {
                    name: value
                    for name, value in details.items()
                    if prefix + name in self.changed_data
                }
                mapping[speaker.label] = SpeakerChoice(
                    participant=self.participants[target],
                    details=changed,
                    remember_name=remember,
                )
        return mapping


class RecordingForm(forms.Form):
    """The interview's recording, on the review page (type checked by content, not here)."""

    recording = forms.FileField(
        label="Recording file",
        help_text="MP3, M4A/AAC, WAV or Ogg; its type is read from the content.",
        widget=forms.ClearableFileInput(attrs={"accept": ".mp3,.m4a,.mp4,.wav,.ogg,.opus"}),
    )
