"""Types that make the OpenAPI document say which codes an API field takes.

Fixed codes (kinds, states, file roles, transition names, form codes) are `Literal` types made
with `choice()`: the document lists them as an `enum` and validation refuses anything else.
Codes kept in database tables (vocabularies, divisions, reporting periods) change without a
deploy, so `ListedCodes` reads them when the document is generated and lists them as the
`enum` of the string field (or of its items); the view still checks them against the table.
`ListedCodes` also serves a field that must accept more than it lists (a transition name that
is not one answers 404, not 400).
"""

from dataclasses import dataclass
from typing import Any, Literal


def choice(values):
    """A Literal type of fixed codes: `choice(["lr", "research"])`."""
    return Literal[tuple(values)]


@dataclass(frozen=True)
class ListedCodes:
    """`Annotated[str, ListedCodes(lambda: Model.objects.values_list("code", flat=True))]`."""

    codes: Any

    def __get_pydantic_json_schema__(self, core_schema, handler):
        schema = handler(core_schema)
        target = handler.resolve_ref_schema(schema)
        codes = sorted(self.codes())
        for branch in target.get("anyOf", [target]):
            inner = branch.get("items", branch)
            if inner.get("type") == "string":
                inner["enum"] = codes
        return schema

    def __hash__(self):
        return id(self)
