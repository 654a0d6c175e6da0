"""A new quote, its codings and its audit entry in one statement, on PostgreSQL.

`code_passage` writes a quote as three INSERTs in a transaction: the quote, its codings
and the audit trail's entry (django-auditlog's post_save receiver). That is five round
trips to the database with BEGIN and COMMIT, and most of a quote POST's time on
PostgreSQL (issue 19). Here the three are data-modifying parts of one WITH statement:

- the quote's INSERT ... ON CONFLICT DO NOTHING RETURNING id: when the span or the key is
  taken (the unique constraints), nothing at all is written and `insert_quote` says so,
  and the caller takes its slower path (adding to the earlier quote);
- its codings and its audit entry are INSERT ... SELECT from that one row.

The statement is built by aefront/one_statement.py from the model instances, as Django
would save them and as django-auditlog would log them; outside a transaction it is its
own, inside one it runs in a savepoint. SQLite has no data-modifying WITH: there
`available()` is False.
"""

from __future__ import annotations

from collections.abc import Sequence

from aefront import one_statement
from aefront.one_statement import SENTINEL_PK
from coding.models import Quote, QuoteTheme, Theme


def available() -> bool:
    return one_statement.available()


def insert_quote(quote: Quote, themes: Sequence[Theme]) -> bool:
    """Write `quote` coded with `themes`; False (nothing written) when its span or its
    uuid is taken. On True `quote` has its id and is saved, as after `quote.save()`."""
    coding = QuoteTheme(content_object_id=SENTINEL_PK, tag_id=SENTINEL_PK)
    one_statement.prepare(coding)
    codings, params = one_statement.insert(
        coding,
        refs={"content_object_id": "q.id", "tag_id": "t.tag"},
        source="q CROSS JOIN UNNEST(%s::bigint[]) AS t(tag)",
    )
    # UNNEST's parameter comes after the columns' in the SELECT ... FROM.
    params = params + [list(dict.fromkeys(theme.pk for theme in themes))]
    return one_statement.insert_new(
        quote, "q", more=[("c", (codings, params))], own_keys=("quote",)
    )
