"""A written-up version of the hand-built dataset, shared by the export tests."""

from __future__ import annotations

from coding.models import RedactionTerm
from coding.report import authoring
from tests.coding.report_data import Dataset


def write_up(data: Dataset, author) -> Dataset:
    """Narratives for B and A (B first in the report), headlines, clearances, a term."""
    q, t = data.quotes, data.themes
    authoring.save_narrative(
        project=data.project, theme=t["A"], version=0, user=author,
        narrative="Blame came from the region.\n\nJane Smith was named in public.",
    )  # fmt: skip
    authoring.save_narrative(
        project=data.project, theme=t["B"], version=0, user=author,
        narrative="Support worked when planned with Northfield General.",
    )  # fmt: skip
    # A: q7 then q1 then q2 (q2 not cleared: left out by default).
    authoring.set_headlines(
        project=data.project, theme=t["A"], quote_ids=[q["q7"].pk, q["q1"].pk, q["q2"].pk],
        expected=None, user=author,
    )  # fmt: skip
    authoring.set_headlines(
        project=data.project, theme=t["B"], quote_ids=[q["q3"].pk], expected=None, user=author
    )
    authoring.set_cleared(
        project=data.project, quote_ids=[q[k].pk for k in ("q1", "q3", "q5", "q7")],
        cleared=True, user=author,
    )  # fmt: skip
    authoring.set_report_order(project=data.project, theme_ids=[t["B"].pk, t["A"].pk], user=author)
    RedactionTerm.objects.create(
        project=data.project, term="Northfield General", replacement="[hospital]"
    )
    return data


REAL_NAMES = ("Jane Smith", "Smith", "Omar", "Khan", "O'Neill", "Mary-Jane", "Peter Brown",
              "Brown", "Northfield General")  # fmt: skip


def real_names_in(text: str) -> list[str]:
    """Registered names found as whole words ("Smithson" is another word)."""
    import re

    return [
        name
        for name in REAL_NAMES
        if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, flags=re.IGNORECASE)
    ]
