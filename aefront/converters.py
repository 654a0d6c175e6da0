"""URL converters. `<id:...>` is a database id: at most 18 digits, so an id no row can
have (2⁶³ and above overflow SQLite and PostgreSQL bigint) is 404 at the resolver
instead of an overflow in the query."""

from django.urls import register_converter


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(int(value))


register_converter(IdConverter, "id")
