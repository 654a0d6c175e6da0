"""The held-out set for the suggestion rows: every fifth coded quote of each demo
project (20%), and a paraphrase of each written for this benchmark, in other words
than the quote's and the themes' own, so that a ranking that only counts shared words
cannot do well on them. Each paraphrase is scored against the quote's themes."""

from __future__ import annotations

HELD_OUT_EVERY = 5  # quote n of a project is held out when n % 5 == 4

# (project slug, the held-out quote's text as the demo codes it, a paraphrase)
PARAPHRASES = (
    ("demo", "If the same people had come in September",
     "Had that team turned up in the autumn, we'd have had room to try things out while "
     "it was quiet on the floor."),
    ("demo", "Chasing the number at the front door",
     "Obsessing over the arrivals figure makes us forget the people ready to go home, and "
     "they are the ones who would empty the wards."),
    ("demo", "Come and see us before things fall over",
     "Visit early, before it all collapses, and arrive ready to hear what we have to say."),
    ("demo", "We end up producing three versions of the truth.",
     "Each regulator wants its own account, so we write the same story over and over in "
     "different shapes."),
    ("demo", "Nationally, the rules should make it easier",
     "What comes down from the centre ought to remove obstacles to good work instead of "
     "adding to them."),
    ("demo", "That alone has done more than any national instruction",
     "That single piece of help achieved more than every directive from London since I took "
     "this job."),
    ("demo", "The best support I have seen was where the people coming in asked us",
     "The most useful helpers began by asking what our goals were, and only then suggested "
     "anything."),
    ("demo", "That's a patient safety issue in the community",
     "People are at risk out in the community as well as in casualty, yet the headline "
     "waiting measure masks all of it."),
    ("demo", "No patient was helped by either.",
     "Neither the telling-off nor the sacking did anything for the people we care for."),
    ("demo", "The change came when the board agreed",
     "Things shifted once every organisation signed up to one yardstick: how many people "
     "well enough to leave were still stuck in a hospital bed."),
    ("demo", "We opened an escalation ward one winter",
     "One winter we opened extra beds with nobody to staff them, purely because that's what "
     "the regional office expected."),
    ("demo", "Honestly, the target has turned my senior managers",
     "My managers now spend their day staring at the clock rather than sorting out how "
     "patients move through."),
    ("demo", "They tailored the work to our discharge problems",
     "The work was shaped around how we get people home, not around the emergency entrance, "
     "and that was why it worked."),
    ("demo", "It never feels like the start of a conversation",
     "A call from them is never the opening of a discussion about how they might help us."),
    ("demo", "Give us support that fits, and give it time to work.",
     "Offer help that suits us, and leave it in place long enough to take effect."),
    ("winter", "What made the difference was peer vaccinators",
     "Having colleagues jab staff on each ward meant no one needed to trek to the staff "
     "health office."),
)  # fmt: skip
