"""Who said a quote, and how to describe them in the app and in exports.

In the app a quote is attributed in full: "Chief executive, acute trust (P03, Northfield)".
In exports it is role and organisation type only, "a chief executive of an acute trust";
the pseudonym and the system name are added only when the author opts in.

The speaker of a quote is the participant of the speaker turn the quote starts in; when
the transcript has exactly one participant, that participant (the usual one-to-one
interview). Turns are loaded only for transcripts with any other number of participants,
so the cost does not grow with the number of one-to-one interviews.
"""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass

from interviews.models import OrganisationType, Participant, Project, SpeakerTurn, Transcript

SMALL_NUMBER = 3

# "of ..." phrases for exports: "a chief executive of an acute trust".
ORG_PHRASES: dict[str, str] = {
    OrganisationType.ACUTE_TRUST: "an acute trust",
    OrganisationType.CCG: "a CCG",
    OrganisationType.COMMUNITY_TRUST: "a community trust",
    OrganisationType.MENTAL_HEALTH_TRUST: "a mental health trust",
    OrganisationType.LOCAL_AUTHORITY: "a local authority",
    OrganisationType.AMBULANCE_TRUST: "an ambulance trust",
    OrganisationType.PRIMARY_CARE: "a primary care organisation",
    OrganisationType.NATIONAL_BODY: "a national body",
    OrganisationType.OTHER: "a partner organisation",
}
ORG_LABELS = dict(OrganisationType.choices)

# Letters whose spoken name starts with a vowel sound: "an NHS trust", "an A&E lead".
_VOWEL_SOUND_LETTERS = set("AEFHILMNORSX")
_CONSONANT_SOUND_PREFIXES = ("uni", "use", "usu", "uti", "eu", "one", "once", "ewe")
_SILENT_H_PREFIXES = ("hour", "honest", "honor", "honour", "heir")


@dataclass(frozen=True)
class Speaker:
    """What attribution needs to know about a participant (never the real name)."""

    pk: int
    pseudonym: str
    role_title: str
    organisation_type: str
    local_system_id: int | None
    local_system_name: str

    @property
    def organisation_label(self) -> str:
        return ORG_LABELS.get(self.organisation_type, self.organisation_type)

    @property
    def group_key(self) -> tuple[str, str, int | None]:
        """Role, organisation type and system: the facts an export may reveal together."""
        return (" ".join(self.role_title.casefold().split()), self.organisation_type,
                self.local_system_id)  # fmt: skip


def indefinite(phrase: str) -> str:
    """'chief executive' -> 'a chief executive'; 'A&E lead' -> 'an A&E lead'."""
    phrase = phrase.strip()
    if not phrase:
        return phrase
    first = phrase.split()[0]
    lowered = first.casefold()
    if lowered in {"a", "an", "the"}:
        return phrase
    letters = "".join(ch for ch in first if ch.isalpha())
    if len(letters) >= 2 and letters.isupper():  # an acronym, said letter by letter
        vowel_sound = letters[0] in _VOWEL_SOUND_LETTERS
    elif lowered.startswith(_SILENT_H_PREFIXES):
        vowel_sound = True
    elif lowered.startswith(_CONSONANT_SOUND_PREFIXES):
        vowel_sound = False
    else:
        vowel_sound = lowered[:1] in set("aeiou")
    return f"{'an' if vowel_sound else 'a'} {phrase}"


def in_app(speaker: Speaker | None) -> str:
    """'Chief executive, acute trust (P03, Northfield)' for pages inside the app."""
    if speaker is None:
        return "Unattributed (no participant linked to this passage)"
    described = ", ".join(part for part in (speaker.role_title.strip(),
                                            speaker.organisation_label) if part)  # fmt: skip
    described = described[:1].upper() + described[1:]
    details = ", ".join(part for part in (speaker.pseudonym, speaker.local_system_name) if part)
    return f"{described} ({details})" if details else described


def for_export(
    speaker: Speaker | None, *, with_pseudonym: bool = False, with_system: bool = False
) -> str:
    """'a chief executive of an acute trust', plus '(P03, Northfield)' only if opted in."""
    if speaker is None:
        return "an interviewee"
    organisation = ORG_PHRASES.get(speaker.organisation_type, "a partner organisation")
    role = speaker.role_title.strip()
    text = (
        f"{indefinite(role)} of {organisation}" if role else f"an interviewee from {organisation}"
    )
    details = []
    if with_pseudonym and speaker.pseudonym:
        details.append(speaker.pseudonym)
    if with_system and speaker.local_system_name:
        details.append(speaker.local_system_name)
    return f"{text} ({', '.join(details)})" if details else text


class SpeakerIndex:
    """Answers "who said the passage starting here?" without a query per quote."""

    def __init__(
        self,
        speakers: dict[int, Speaker],
        participants_of: dict[int, list[int]],
        turns: dict[int, tuple[list[int], list[int], list[int]]],
    ) -> None:
        self.speakers = speakers
        self.participants_of = participants_of
        self._turns = turns
        self._group_sizes = Counter(speaker.group_key for speaker in speakers.values())

    @classmethod
    def load(cls, project: Project) -> SpeakerIndex:
        """Three queries whatever the number of quotes: participants, links, turns."""
        speakers = {
            row["pk"]: Speaker(
                pk=row["pk"],
                pseudonym=row["pseudonym"],
                role_title=row["role_title"],
                organisation_type=row["organisation_type"],
                local_system_id=row["local_system_id"],
                local_system_name=row["local_system__name"] or "",
            )
            for row in Participant.objects.filter(project=project).values(
                "pk",
                "pseudonym",
                "role_title",
                "organisation_type",
                "local_system_id",
                "local_system__name",
            )
        }
        participants_of: dict[int, list[int]] = {}
        links = Transcript.participants.through.objects.filter(participant__project=project)
        for transcript_id, participant_id in links.values_list("transcript_id", "participant_id"):
            participants_of.setdefault(transcript_id, []).append(participant_id)
        single = [tid for tid, pids in participants_of.items() if len(pids) == 1]
        turns: dict[int, tuple[list[int], list[int], list[int]]] = {}
        # The single-speaker interviews are left out of the interviews, not filtered from
        # the turns: PostgreSQL would read every turn of them to drop it.
        several = Transcript.objects.filter(project=project).exclude(pk__in=single)
        rows = (
            SpeakerTurn.objects.filter(
                transcript_id__in=several.values("pk"),
                participant__isnull=False,
                is_interviewer=False,
            )
            .order_by("transcript_id", "start")
            .values_list("transcript_id", "start", "end", "participant_id")
        )
        for transcript_id, start, end, participant_id in rows:
            starts, ends, pids = turns.setdefault(transcript_id, ([], [], []))
            starts.append(start)
            ends.append(end)
            pids.append(participant_id)
        return cls(speakers, participants_of, turns)

    def is_single(self, transcript_id: int) -> bool:
        """True if every quote of this transcript has the same speaker (one participant)."""
        return len(self.participants_of.get(transcript_id, ())) == 1

    def sole(self, transcript_id: int) -> Speaker | None:
        pids = self.participants_of.get(transcript_id, ())
        return self.speakers.get(pids[0]) if len(pids) == 1 else None

    def speaker(self, transcript_id: int, start: int) -> Speaker | None:
        pids = self.participants_of.get(transcript_id, ())
        if len(pids) == 1:
            return self.speakers.get(pids[0])
        turns = self._turns.get(transcript_id)
        if turns is None:
            return None
        starts, ends, turn_pids = turns
        at = bisect.bisect_right(starts, start) - 1
        if at >= 0 and start < ends[at]:
            return self.speakers.get(turn_pids[at])
        return None

    def also(self, transcript_id: int, start: int, end: int) -> list[Speaker]:
        """The other participants who speak in [start, end), after the one at `start`: a
        focus group's quote across turns (a project's `multi_turn_quotes`) is theirs too."""
        turns = self._turns.get(transcript_id)
        if turns is None:
            return []
        starts, ends, turn_pids = turns
        first = self.speaker(transcript_id, start)
        seen = {first.pk} if first else set()
        found = []
        at = max(bisect.bisect_right(starts, start) - 1, 0)
        while at < len(starts) and starts[at] < end:
            pid = turn_pids[at]
            if ends[at] > start and pid not in seen and pid in self.speakers:
                seen.add(pid)
                found.append(self.speakers[pid])
            at += 1
        return found

    def interviewees(self, transcript_id: int) -> set[int]:
        """Participants of an interview: linked ones and any speaking in its turns."""
        found = set(self.participants_of.get(transcript_id, ()))
        turns = self._turns.get(transcript_id)
        if turns is not None:
            found.update(turns[2])
        return found

    def group_size(self, speaker: Speaker | None) -> int | None:
        return None if speaker is None else self._group_sizes[speaker.group_key]

    def small_number_warning(self, speaker: Speaker | None) -> str:
        """A warning if role, organisation type and system identify < 3 participants."""
        size = self.group_size(speaker)
        if speaker is None or size is None or size >= SMALL_NUMBER:
            return ""
        who = "participant has" if size == 1 else "participants have"
        system = speaker.local_system_name or "no recorded system"
        role = speaker.role_title.strip() or "no recorded role"
        return (
            f"Only {size} {who} this role ({role}), organisation type "
            f"({speaker.organisation_label}) and system ({system}): this quote may identify "
            "its speaker."
        )
