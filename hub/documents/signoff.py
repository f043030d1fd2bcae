"""Signature, seal and date blocks of the paper forms, filled where the hub knows the handler.

The workflow records, with each step, the handler's display name (the token's `name` claim)
beside the subject. A block shows that name and the step's date; an unknown handler or an
unreached step leaves the block blank, to be signed and sealed by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hub.policy.calendar import CHINA
from schema.tables import WorkflowTransition

# Non-breaking spaces: a paragraph would collapse ordinary ones and leave no room to write.
BLANK_DATE = "&nbsp;" * 12 + "年" + "&nbsp;" * 7 + "月" + "&nbsp;" * 7 + "日"


def paper_date(moment: datetime | None) -> str:
    """A date as forms print it (2020 年 3 月 13 日), or blank boxes to fill by hand."""
    if moment is None:
        return BLANK_DATE
    day = moment.astimezone(CHINA).date()
    return f"{day.year} 年 {day.month} 月 {day.day} 日"


@dataclass(frozen=True)
class Signoff:
    """Who handled a step (display name, blank if unknown) and its date (blank if not reached)."""

    name: str
    date: str

    @classmethod
    def of(cls, transition: WorkflowTransition | None) -> Signoff:
        if transition is None:
            return cls("", BLANK_DATE)
        return cls(transition.actor_name or "", paper_date(transition.at))


def applicant_block(
    label: str, step: WorkflowTransition | None, signer: str = "法人签字："
) -> list[str]:
    """The applicant's row: legal representative's signature, seal, date of the step."""
    return [label, f"{signer}<br/><br/><br/>", "（盖章）", Signoff.of(step).date]


def bureau_block(label: str, signoff: Signoff, *, opinion: str) -> list[str]:
    """A reviewing bureau's row: opinion and handler, leader's signature and seal, date."""
    return [
        label,
        f"{opinion}<br/><br/>经办人员签字：{signoff.name}",
        "领导签字：<br/><br/><br/>（盖章）",
        signoff.date,
    ]
