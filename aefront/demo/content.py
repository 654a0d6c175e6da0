"""What the demo holds: people, projects, codebooks and coded quotes.

The interview texts are fictional and live in `transcripts/*.txt` beside this file.
Quotes are given by their exact wording; the seeder finds each one in its
transcript, so offsets can never drift from the text.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from interviews.models import Membership, OrganisationType

Role = Membership.Role
Org = OrganisationType


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    first_name: str
    is_superuser: bool = False


# Publicly known passwords: the demo is for a laptop, never for a server.
USERS = (
    DemoUser("enabler", "harbour-lantern-seven", "Ellis"),
    DemoUser("enabler2", "velvet-compass-autumn", "Priya"),
    DemoUser("author", "copper-kettle-morning", "Alex"),
    DemoUser("admin", "granite-orchard-winter", "Sam", is_superuser=True),
)
PRINTED_LOGINS = ("enabler", "author", "admin", "enabler2")


@dataclass(frozen=True)
class DemoParticipant:
    pseudonym: str
    role_title: str
    organisation_type: str
    local_system: str


@dataclass(frozen=True)
class DemoTranscript:
    key: str  # file name in transcripts/, without .txt
    title: str
    interview_date: datetime.date
    local_system: str
    enabler: str
    participants: tuple[str, ...]


@dataclass(frozen=True)
class DemoTheme:
    name: str
    colour: str
    description: str
    parent: str | None = None


@dataclass(frozen=True)
class DemoQuote:
    transcript: str
    text: str
    themes: tuple[str, ...]
    coder: str
    cleared: bool = False
    memo: str = ""


@dataclass(frozen=True)
class DemoSummary:
    theme: str
    narrative: str  # "{inline}" marks where the `inline` quote is set in the text
    headlines: tuple[str, ...]  # quote texts, in order (seeding clears them)
    inline: str = ""  # the text of a quote set inline in the narrative


@dataclass(frozen=True)
class DemoProject:
    slug: str
    name: str
    description: str
    report_title: str
    members: tuple[tuple[str, str], ...]
    local_systems: tuple[str, ...]
    participants: tuple[DemoParticipant, ...]
    transcripts: tuple[DemoTranscript, ...]
    themes: tuple[DemoTheme, ...]
    quotes: tuple[DemoQuote, ...]
    summaries: tuple[DemoSummary, ...] = ()
    redaction_terms: tuple[str, ...] = field(default=())


NORTHVALE = "Northvale A&E Delivery Board"
RIVERSIDE = "Riverside and Eastwood A&E Delivery Board"
SOUTHMOOR = "Southmoor Urgent Care System"

# Theme names, shortened for the quote table below.
NATIONAL = "National support"
TAILORED = "Tailored support"
BEFORE_CRISIS = "Provide support before crisis"
PLAN_WITH = "Plan support with local leaders"
LONG_TERM = "Support for the long term"
RATIONALISE = "Rationalise support programmes"
UNIFIED = "A unified view across central bodies"
CULTURE = "Culture and behaviour"
BLAME = "Blame culture"
SACKING = "Sacking chief executives hammers morale"
FOUR_HOUR = "Four-hour target pressure"
LEADERSHIP = "System leadership"
SHARED = "Shared ownership"
CHIEF_EXECS = "Chief executives as system leaders"

DEMO_THEMES = (
    DemoTheme(
        NATIONAL,
        "#90caf9",
        "What national bodies offer local systems, and how it lands. Use a child theme "
        "when one fits; code here only for general remarks about national support.",
    ),
    DemoTheme(
        TAILORED,
        "#a5d6a7",
        "Support shaped around this system's own problems rather than a standard "
        "instruction or template.",
        NATIONAL,
    ),
    DemoTheme(
        BEFORE_CRISIS,
        "#fff59d",
        "Help arriving early, before a system is failing, or the cost of help that "
        "only comes once it is.",
        NATIONAL,
    ),
    DemoTheme(
        PLAN_WITH,
        "#80cbc4",
        "Support designed together with local leaders, or imposed without them.",
        NATIONAL,
    ),
    DemoTheme(
        LONG_TERM,
        "#bcaaa4",
        "Support that stays long enough for changes to bed in; short-term pilots and "
        "funding that ends too soon.",
        NATIONAL,
    ),
    DemoTheme(
        RATIONALISE,
        "#ffcc80",
        "Too many overlapping programmes, toolkits and returns; initiative fatigue.",
        NATIONAL,
    ),
    DemoTheme(
        UNIFIED,
        "#b0bec5",
        "NHS England, NHS Improvement and the CQC taking one view of a local system.",
        NATIONAL,
    ),
    DemoTheme(
        CULTURE,
        "#f48fb1",
        "How national and regional behaviour feels locally. Prefer a child theme.",
    ),
    DemoTheme(
        BLAME,
        "#ffab91",
        "The language of blame, failure and holding to account; naming and shaming; "
        "defensive behaviour it causes.",
        CULTURE,
    ),
    DemoTheme(
        SACKING,
        "#ce93d8",
        "Removal of chief executives and its effect on morale and on who will step "
        "up to senior roles.",
        CULTURE,
    ),
    DemoTheme(
        FOUR_HOUR,
        "#ffd54f",
        "Pressure of the four-hour A&E standard and how chasing it distorts decisions.",
        CULTURE,
    ),
    DemoTheme(
        LEADERSHIP,
        "#81d4fa",
        "Leading across organisations rather than within one.",
    ),
    DemoTheme(
        SHARED,
        "#aed581",
        "Partners owning problems, plans and measures together across the system.",
        LEADERSHIP,
    ),
    DemoTheme(
        CHIEF_EXECS,
        "#e6ee9c",
        "Chief executives learning, or being helped, to lead the system and not only "
        "their own organisation.",
        LEADERSHIP,
    ),
)

P01, P02, P03, P04, P05, P06, P07, P08 = (f"P0{n}" for n in range(1, 9))

DEMO_PARTICIPANTS = (
    DemoParticipant(P01, "chief executive", Org.ACUTE_TRUST, NORTHVALE),
    DemoParticipant(P02, "accountable officer", Org.CCG, NORTHVALE),
    DemoParticipant(P03, "director of adult social services", Org.LOCAL_AUTHORITY, RIVERSIDE),
    DemoParticipant(P04, "head of urgent care operations", Org.AMBULANCE_TRUST, RIVERSIDE),
    DemoParticipant(P05, "director of operations", Org.COMMUNITY_TRUST, SOUTHMOOR),
    DemoParticipant(P06, "chief operating officer", Org.ACUTE_TRUST, SOUTHMOOR),
    DemoParticipant(P07, "GP clinical lead", Org.PRIMARY_CARE, NORTHVALE),
    DemoParticipant(P08, "clinical director", Org.MENTAL_HEALTH_TRUST, NORTHVALE),
)

DEMO_TRANSCRIPTS = (
    DemoTranscript(
        "northvale-p01",
        "Northvale: acute trust chief executive (P01)",
        datetime.date(2018, 3, 14),
        NORTHVALE,
        "enabler",
        (P01,),
    ),
    DemoTranscript(
        "northvale-p02",
        "Northvale: CCG accountable officer (P02)",
        datetime.date(2018, 3, 21),
        NORTHVALE,
        "enabler2",
        (P02,),
    ),
    DemoTranscript(
        "riverside-p03",
        "Riverside and Eastwood: director of adult social services (P03)",
        datetime.date(2018, 4, 9),
        RIVERSIDE,
        "enabler",
        (P03,),
    ),
    DemoTranscript(
        "riverside-p04",
        "Riverside and Eastwood: ambulance trust urgent care lead (P04)",
        datetime.date(2018, 4, 17),
        RIVERSIDE,
        "enabler2",
        (P04,),
    ),
    DemoTranscript(
        "southmoor-p05",
        "Southmoor: community trust director of operations (P05)",
        datetime.date(2018, 5, 2),
        SOUTHMOOR,
        "enabler",
        (P05,),
    ),
    DemoTranscript(
        "southmoor-p06",
        "Southmoor: acute trust chief operating officer (P06)",
        datetime.date(2018, 5, 10),
        SOUTHMOOR,
        "enabler2",
        (P06,),
    ),
    DemoTranscript(
        "northvale-group",
        "Northvale: primary care and mental health (P07, P08)",
        datetime.date(2018, 5, 23),
        NORTHVALE,
        "enabler",
        (P07, P08),
    ),
)


def q(transcript: str, coder: str, themes: list[str], text: str, **extra) -> DemoQuote:
    """One row of the quote tables below: where, who, which themes, the exact wording."""
    return DemoQuote(transcript=transcript, text=text, themes=tuple(themes), coder=coder, **extra)


E1, E2 = "enabler", "enabler2"
T1, T2, T3, T4 = "northvale-p01", "northvale-p02", "riverside-p03", "riverside-p04"
T5, T6, T7 = "southmoor-p05", "southmoor-p06", "northvale-group"

# fmt: off
DEMO_QUOTES = (
    q(T1, E1, [FOUR_HOUR, SHARED], "The four-hour number is published against my trust, not "
      "against the system, so naturally it feels like my problem.", cleared=True),
    q(T1, E1, [SHARED], "We now start with one patient story, usually someone who spent too long "
      "somewhere they didn't need to be, and we trace what happened across all of our "
      "organisations."),
    q(T1, E1, [TAILORED, PLAN_WITH], "The best help we had was a team that spent three days with "
      "us before they said anything at all.", cleared=True),
    q(T1, E1, [TAILORED], "When an instruction arrives that assumes we have a discharge lounge we "
      "closed in 2015, people stop reading the rest of it."),
    q(T1, E1, [BEFORE_CRISIS], "If the same people had come in September, we could have tested "
      "changes while the department was still calm.", cleared=True),
    q(T1, E1, [BEFORE_CRISIS], "I said to a regional colleague once that we seem to qualify for "
      "support only after we have failed, and she didn't disagree."),
    q(T1, E1, [BLAME], "Nobody learns anything on those calls. They just learn to defend.",
      cleared=True),
    q(T1, E1, [SACKING], "Two of my best divisional directors told me they would never apply for "
      "a chief executive post after what they had seen happen to colleagues elsewhere.",
      cleared=True),
    q(T1, E1, [SACKING, BLAME], "I understand accountability, I really do, but removing someone "
      "for one set of figures tells everybody else to keep their heads down."),
    q(T1, E1, [FOUR_HOUR], "Chasing the number at the front door means we neglect the discharges "
      "that would actually free up the beds."),
    q(T1, E1, [SHARED], "It is the first time I have felt that a problem in my emergency "
      "department belongs to the whole board and not just to me."),
    q(T1, E1, [CHIEF_EXECS], "I had to learn to lead things I don't control.",
      memo="Strong line for the system leadership chapter."),
    q(T1, E1, [CHIEF_EXECS], "Frankly the system leadership work should have been part of how "
      "chief executives are developed from the start."),
    q(T1, E1, [RATIONALISE], "And please, if you are going to give us another programme, tell us "
      "which of the existing ones it replaces."),
    q(T1, E2, [BEFORE_CRISIS, PLAN_WITH], "Come and see us before things fall over, and come "
      "prepared to listen."),
    q(T2, E2, [SHARED], "We chose a commissioner chair on purpose, because we wanted the board to "
      "be seen as belonging to everyone and not as the hospital's meeting with guests."),
    q(T2, E2, [SHARED], "Once those were on the front page of the board papers, the conversation "
      "shifted."),
    q(T2, E2, [RATIONALISE], "My team spent more time filling in returns than doing improvement.",
      cleared=True),
    q(T2, E2, [RATIONALISE], "Together they are exhausting, and the staff on the wards can no "
      "longer tell you which initiative they're supposed to be working on."),
    q(T2, E2, [UNIFIED], "We end up producing three versions of the truth.", cleared=True),
    q(T2, E2, [UNIFIED], "A joint view of our system from the national bodies would save "
      "everybody a great deal of effort."),
    q(T2, E2, [TAILORED], "The conversations started with what we were worried about rather than "
      "what somebody else wanted us to report."),
    q(T2, E2, [LONG_TERM], "Most support disappears after twelve weeks, just when the new ways of "
      "working are starting to settle in.", cleared=True),
    q(T2, E2, [BLAME], "That language of holding people to account pushes us straight back into "
      "our separate corners."),
    q(T2, E2, [NATIONAL], "Nationally, the rules should make it easier to do the right thing, not "
      "harder.", memo="About the payment system rather than support as such."),
    q(T2, E2, [PLAN_WITH], "And design the support with local leaders, because we know where the "
      "problems are, even when we don't yet know how to fix them."),
    q(T2, E2, [RATIONALISE], "Stop adding and start integrating."),
    q(T3, E1, [BLAME], "We were the people you phoned at four in the afternoon to ask why Mrs "
      "Jones was still on the ward.", memo="Names a patient: redact before publication."),
    q(T3, E1, [SHARED], "They have one list of patients, not three."),
    q(T3, E1, [TAILORED], "That alone has done more than any national instruction I've received "
      "in the past five years."),
    q(T3, E1, [SHARED], "The board's job was to sort out the governance, the data sharing "
      "agreement and the money, which is dull work but it's where things usually die."),
    q(T3, E1, [UNIFIED], "The NHS support programmes are largely invisible to local government."),
    q(T3, E1, [PLAN_WITH, BLAME], "It felt like the NHS deciding what the council would deliver."),
    q(T3, E1, [BLAME], "It damaged relationships we had spent years building."),
    q(T3, E1, [TAILORED, PLAN_WITH], "The best support I have seen was where the people coming in "
      "asked us what we were trying to achieve before offering anything.", cleared=True),
    q(T3, E1, [BEFORE_CRISIS], "If they had come in October and looked at the whole system, we "
      "could have commissioned extra beds in time."),
    q(T3, E1, [LONG_TERM, SHARED], "We need to write down how we work together so that it "
      "survives the people."),
    q(T3, E1, [SHARED], "Remember that social care is not an NHS department."),
    q(T3, E2, [BLAME], "It damaged relationships we had spent years building."),
    q(T4, E2, [FOUR_HOUR], "That's a patient safety issue in the community as much as in the "
      "emergency department, and it's one the four-hour figure completely hides."),
    q(T4, E2, [SHARED], "At Riverside the board treats them as a shared measure, and the "
      "hospital, community and council leads all see the handover figures every morning."),
    q(T4, E2, [CHIEF_EXECS], "The system leaders who have seen each other's pressures close up "
      "make better decisions together.", cleared=True),
    q(T4, E2, [FOUR_HOUR], "So each organisation optimises its own number."),
    q(T4, E2, [BLAME], "My managers call it the weekly naming and shaming.", cleared=True),
    q(T4, E2, [BLAME], "No patient was helped by either."),
    q(T4, E2, [BEFORE_CRISIS, LONG_TERM], "They came in at the end of the summer, before winter "
      "pressures, worked with our control room and the hospital, and left us with something we "
      "still use."),
    q(T4, E2, [PLAN_WITH], "It was planned with us, over several weeks, not dropped on us."),
    q(T4, E2, [RATIONALISE], "It took a manager half a day to fill in, which was half a day she "
      "wasn't managing the queue."),
    q(T4, E2, [SHARED, FOUR_HOUR], "Measure the system, not the organisations."),
    q(T5, E1, [SHARED], "The change came when the board agreed that the measure we would all be "
      "held to was the number of people who are medically fit but still in hospital."),
    q(T5, E1, [BLAME], "Three years ago there was a lot of finger-pointing between the "
      "organisations about who was holding up discharges."),
    q(T5, E1, [LONG_TERM], "Help that stops after six months leaves you with a pilot, not a "
      "service.", cleared=True),
    q(T5, E1, [RATIONALISE], "My clinical leads have started to roll their eyes when another "
      "programme is mentioned."),
    q(T5, E1, [RATIONALISE, LONG_TERM], "I'd happily give up three of those programmes for one "
      "person who stays with us for two years."),
    q(T5, E1, [FOUR_HOUR, BLAME], "We opened an escalation ward one winter that we had no staff "
      "for, because it was what the region wanted to hear."),
    q(T5, E1, [SACKING], "People have seen what happens to leaders who are seen as difficult, and "
      "there is a real fear of it."),
    q(T5, E1, [CHIEF_EXECS], "When the crunch comes in January, they already trust each other, "
      "and we don't waste the first week arguing."),
    q(T5, E1, [LONG_TERM], "Invest in the community end of the pathway for the long haul, not in "
      "bursts every winter."),
    q(T5, E2, [LONG_TERM], "Help that stops after six months leaves you with a pilot, not a "
      "service."),
    q(T6, E2, [FOUR_HOUR], "Honestly, the target has turned my senior managers into clock "
      "watchers instead of people who fix the flow.", cleared=True),
    q(T6, E2, [FOUR_HOUR], "That's the number that drives the waits, and it's the one nobody "
      "calls me about."),
    q(T6, E2, [BLAME], "That kind of threat makes people hide problems rather than raise them "
      "early."),
    q(T6, E2, [SACKING], "We're losing a generation of leaders to fear.", cleared=True),
    q(T6, E2, [SACKING], "Nobody wanted to try anything new in case it went wrong on their watch."
      ),
    q(T6, E2, [TAILORED], "They tailored the work to our discharge problems rather than our front "
      "door, and that's what made the difference.", cleared=True),
    q(T6, E2, [SHARED], "The board owns the plan, not just the hospital."),
    q(T6, E2, [CHIEF_EXECS], "If you want them to lead systems, you have to judge them on the "
      "system's results and give them the skills to work across boundaries."),
    q(T7, E1, [SHARED], "It was the first time our trust felt like a partner in urgent care "
      "rather than a place to send people."),
    q(T7, E1, [CULTURE], "The national conversation about A&E treats primary care as a tap you "
      "can turn on."),
    q(T7, E1, [BLAME], "It never feels like the start of a conversation about what would help."),
    q(T7, E1, [BLAME], "It undid months of work in about ten minutes."),
    q(T7, E1, [TAILORED], "They didn't arrive with a generic flow model."),
    q(T7, E1, [LONG_TERM], "And they were around long enough to see the results."),
    q(T7, E1, [CHIEF_EXECS], "I think the leaders who have done best are the ones who accepted "
      "that they can't fix their own organisation without fixing the system around it.",
      cleared=True),
    q(T7, E1, [TAILORED, LONG_TERM], "Give us support that fits, and give it time to work."),
)
# fmt: on

DEMO_SUMMARIES = (
    DemoSummary(
        NATIONAL,
        "Interviewees had clear views on what national support should look like. Five "
        "messages recur below: fit the help to the system, arrive early, plan it with local "
        "leaders, stay long enough, and cut the number of programmes.",
        ("Nationally, the rules should make it easier to do the right thing, not harder.",),
    ),
    DemoSummary(
        TAILORED,
        "Support was valued when it began by listening. Interviewees from acute trusts, "
        "councils and mental health services contrasted teams who first learnt how their "
        "system worked with instructions written for any hospital in the country.",
        (
            "The best help we had was a team that spent three days with us before they said "
            "anything at all.",
            "They tailored the work to our discharge problems rather than our front door, "
            "and that's what made the difference.",
            "The best support I have seen was where the people coming in asked us what we "
            "were trying to achieve before offering anything.",
        ),
    ),
    DemoSummary(
        BEFORE_CRISIS,
        "Help tended to arrive in the depths of winter, when there was no room to try "
        "anything. Leaders in all three systems asked for it in the autumn instead, while "
        "departments were calm enough to test changes.",
        (
            "If the same people had come in September, we could have tested changes while the "
            "department was still calm.",
            "Come and see us before things fall over, and come prepared to listen.",
        ),
    ),
    DemoSummary(
        PLAN_WITH,
        "Support planned over weeks with the people who would use it was remembered as "
        "helpful; support announced to a system was remembered as an intrusion, especially "
        "by council leaders.",
        (
            "It was planned with us, over several weeks, not dropped on us.",
            "It felt like the NHS deciding what the council would deliver.",
        ),
    ),
    DemoSummary(
        LONG_TERM,
        "Short programmes were said to end just as new habits formed. Interviewees asked for "
        "fewer, longer commitments, with someone who stays long enough to see the results.",
        (
            "Most support disappears after twelve weeks, just when the new ways of working are "
            "starting to settle in.",
            "Help that stops after six months leaves you with a pilot, not a service.",
        ),
    ),
    DemoSummary(
        RATIONALISE,
        "The number of overlapping programmes, returns and initiatives was a common "
        "complaint. {inline} was how one director put it; clinical leads were said to have "
        "stopped telling the programmes apart.",
        (
            "My team spent more time filling in returns than doing improvement.",
            "I'd happily give up three of those programmes for one person who stays with us "
            "for two years.",
        ),
        inline="Stop adding and start integrating.",
    ),
    DemoSummary(
        UNIFIED,
        "Each national body asks for its own view of a system's performance, so local teams "
        "reconcile several sets of figures, and local government hardly sees the NHS "
        "programmes at all.",
        (
            "We end up producing three versions of the truth.",
            "The NHS support programmes are largely invisible to local government.",
        ),
    ),
    DemoSummary(
        CULTURE,
        "How national leaders speak to local systems shapes how local leaders behave. Three "
        "patterns stood out: blame, the fear created by sackings, and the pull of the "
        "four-hour figure.",
        ("The national conversation about A&E treats primary care as a tap you can turn on.",),
    ),
    DemoSummary(
        BLAME,
        "Weekly performance calls were described as public reprimands that taught defence "
        "rather than learning, and that set organisations against each other.",
        (
            "Nobody learns anything on those calls. They just learn to defend.",
            "My managers call it the weekly naming and shaming.",
        ),
    ),
    DemoSummary(
        SACKING,
        "Several interviewees described the removal of chief executives after a single "
        "difficult winter as the clearest signal they had received from the national "
        "leadership. Its effect reached well beyond the person removed: deputies and "
        "divisional directors said they no longer wanted the top job, and senior teams "
        "described a period of caution in which nobody tried anything new.",
        (
            "Two of my best divisional directors told me they would never apply for a chief "
            "executive post after what they had seen happen to colleagues elsewhere.",
            "We're losing a generation of leaders to fear.",
        ),
    ),
    DemoSummary(
        FOUR_HOUR,
        "A target published against one organisation was felt to make system working "
        "harder: each organisation guards its own figure while the delays that matter most "
        "sit elsewhere in the pathway.",
        (
            "The four-hour number is published against my trust, not against the system, so "
            "naturally it feels like my problem.",
            "Honestly, the target has turned my senior managers into clock watchers instead "
            "of people who fix the flow.",
        ),
    ),
    DemoSummary(
        SHARED,
        "Where boards agreed one measure for the whole system and looked at it together, "
        "leaders said the problem stopped belonging to the hospital alone.",
        (
            "Measure the system, not the organisations.",
            "It was the first time our trust felt like a partner in urgent care rather than a "
            "place to send people.",
        ),
    ),
    DemoSummary(
        CHIEF_EXECS,
        "Chief executives who had learnt to lead across boundaries were seen as the ones "
        "making progress, and interviewees wanted that learning built into how leaders are "
        "developed and judged.",
        (
            "The system leaders who have seen each other's pressures close up make better "
            "decisions together.",
            "I think the leaders who have done best are the ones who accepted that they can't "
            "fix their own organisation without fixing the system around it.",
        ),
    ),
)

DEMO = DemoProject(
    slug="demo",
    name="Messages from the A&E front line",
    description="Fictional interviews with A&E Delivery Board members in three local "
    "systems, coded against a two-level codebook. Demo data only.",
    report_title="Messages for national leaders from the A&E front line",
    members=(
        ("enabler", Role.ENABLER),
        ("enabler2", Role.ENABLER),
        ("author", Role.AUTHOR),
        ("admin", Role.ADMIN),
    ),
    local_systems=(NORTHVALE, RIVERSIDE, SOUTHMOOR),
    participants=DEMO_PARTICIPANTS,
    transcripts=DEMO_TRANSCRIPTS,
    themes=DEMO_THEMES,
    quotes=DEMO_QUOTES,
    summaries=DEMO_SUMMARIES,
    redaction_terms=("Jones",),
)

EASTMARSH = "Eastmarsh Health and Care Partnership"
WINTER_PLANNING = "Winter planning"
LATE_GUIDANCE = "Late national guidance"
ESCALATION = "Escalation capacity"
WORKFORCE = "Workforce"
WELLBEING = "Staff wellbeing"
VACCINATION = "Flu vaccination"
W1 = "winter-p01"

WINTER = DemoProject(
    slug="winter",
    name="Winter resilience review",
    description="A second, smaller fictional study. The demo enabler is not a member.",
    report_title="Lessons from last winter",
    members=(("enabler2", Role.ENABLER), ("author", Role.AUTHOR), ("admin", Role.ADMIN)),
    local_systems=(EASTMARSH,),
    participants=(DemoParticipant(P01, "director of nursing", Org.ACUTE_TRUST, EASTMARSH),),
    transcripts=(
        DemoTranscript(
            W1,
            "Eastmarsh: acute trust director of nursing (P01)",
            datetime.date(2018, 6, 6),
            EASTMARSH,
            "enabler2",
            (P01,),
        ),
    ),
    themes=(
        DemoTheme(WINTER_PLANNING, "#90caf9", "When and how the winter plan was made."),
        DemoTheme(
            LATE_GUIDANCE,
            "#fff59d",
            "National guidance or funding arriving too late to plan with.",
            WINTER_PLANNING,
        ),
        DemoTheme(
            ESCALATION,
            "#ffcc80",
            "Extra beds and wards opened under pressure, and what they cost.",
            WINTER_PLANNING,
        ),
        DemoTheme(WORKFORCE, "#a5d6a7", "The people who staff the winter."),
        DemoTheme(
            WELLBEING,
            "#ce93d8",
            "Exhaustion, sickness and how staff were looked after.",
            WORKFORCE,
        ),
        DemoTheme(VACCINATION, "#80cbc4", "Staff flu vaccination.", WORKFORCE),
    ),
    # fmt: off
    quotes=(
        q(
            W1,
            E2,
            [WINTER_PLANNING],
            "We signed off our winter plan in November, which is far too late.",
        ),
        q(
            W1,
            E2,
            [LATE_GUIDANCE],
            "Partly our own fault and partly because national guidance on "
            "winter funding didn't arrive until October.",
        ),
        q(
            W1,
            E2,
            [ESCALATION, WELLBEING],
            "Extra beds without extra staff just spread the risk around.",
        ),
        q(
            W1,
            E2,
            [WELLBEING],
            "We put on extra psychological support and free hot meals at "
            "night, which helped a bit, but you can't fix exhaustion with sandwiches.",
        ),
        q(
            W1,
            E2,
            [VACCINATION],
            "What made the difference was peer vaccinators on every ward, so "
            "nobody had to walk to occupational health.",
            cleared=True,
        ),
        q(
            W1,
            E2,
            [ESCALATION],
            "The beds we had opened to create space ended up slowing the whole place down.",
        ),
        q(
            W1,
            E2,
            [LATE_GUIDANCE],
            "Certainty would be worth more to us than an extra pot of cash in November.",
        ),
    ),
    # fmt: on
)

PROJECTS = (DEMO, WINTER)
