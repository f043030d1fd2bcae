"""Personal numbers in free-form fields (source ids, quarantine reasons and payloads).

Columns made for personal data are encrypted and revealed field by field (HubContext.reveal);
these fields are not, yet may hold an ID or phone number — a spreadsheet keys trainees by the ID
number when it has no 学员编号 column, a platform's own payload uses its own keys. They are
masked unless the caller may read personal data, and an unmasked read of one that holds a
personal number is logged like any other.
"""

from __future__ import annotations

import json
from typing import Any

import strawberry

from hub.api.context import HubContext
from hub.api.relay import from_global_id
from hub.security.masking import contains_personal_number, mask_personal, mask_text


def shown_text(
    context: HubContext, entity: str, row_id: int, field: str, text: str | None
) -> str | None:
    """`text` as the caller may see it: personal numbers masked, or shown and logged."""
    if text is None or not contains_personal_number(text):
        return text
    if context.require().can_read_pii:
        context.unmasked[(entity, field)].add(row_id)
        return text
    return mask_text(text)


def shown_payload(context: HubContext, entity: str, row_id: int, field: str, cipher: str) -> Any:
    """A stored (encrypted) JSON payload: revealed and logged, or with every personal number
    masked, by value and by key, at any depth."""

    if context.require().can_read_pii:
        return json.loads(context.reveal(entity, row_id, field, cipher) or "null")
    return mask_personal(json.loads(context.vault.decrypt(cipher)))


@strawberry.type
class SourceKeyed:
    """A node keyed by its platform's own id (`source_id`), which may be a personal number."""

    @strawberry.field(
        name="sourceId",
        description="The platform's own key; a personal number in it is masked without pii.",
    )
    def shown_source_id(self, info: strawberry.Info[HubContext, None]) -> str:
        type_name, row_id = from_global_id(self.id)  # type: ignore[attr-defined]
        source_id: str = self.source_id  # type: ignore[attr-defined]
        return shown_text(info.context, type_name.lower(), row_id, "sourceId", source_id) or ""


def shown_json(context: HubContext, entity: str, row_id: int, field: str, value: Any) -> Any:
    """A plain JSON value (e.g. an alert's evidence) as the caller may see it."""
    masked = mask_personal(value)
    if masked == value:
        return value
    if context.require().can_read_pii:
        context.unmasked[(entity, field)].add(row_id)
        return value
    return masked
