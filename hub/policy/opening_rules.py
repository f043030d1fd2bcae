"""Rules a class opening must meet beyond its teaching plan.

- Designated institutions (定点培训机构, 乌人社发〔2020〕26号 一): where the city's parameter
  `designated_institutions_required` is on (Wuhai), a class whose roster holds trainees of the
  key groups (就业重点群体) may only be organised by an institution designated for that city.
- Opening materials (内人社办发〔2020〕16号 二(三)4): the application report (开班申请报告) and the
  trainees' ID-document copies (培训对象基本身份类证明复印件) are attached to the opening —
  metadata and SHA-256 of each file — where `opening_materials_required` is on.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.policy.errors import PolicyViolation
from hub.policy.parameters import ParametersInForce
from hub.registry.bureaus import city_of
from schema.enums import IdentityCategory, OrganisationKind
from schema.tables import Organisation, Trainee, TrainingClass

# The key groups 26号 一 gives to designated institutions (and the others 16号 二(一) lists as
# 就业重点群体); enterprise employees and other eligible persons are not among them.
KEY_GROUPS = frozenset(IdentityCategory) - {
    IdentityCategory.ENTERPRISE_EMPLOYEE,
    IdentityCategory.OTHER_ELIGIBLE,
}
# Materials an opening carries, with the names printed on the checklist.
OPENING_MATERIALS = {
    "application_report": "开班申请报告",
    "id_copies": "培训对象基本身份类证明复印件",
}
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


async def check_designated_organiser(
    session: AsyncSession,
    training_class: TrainingClass,
    roster: list[int],
    params: ParametersInForce,
) -> None:
    """Refuse a key-group roster organised by a non-designated organisation where required."""
    if not params.get("designated_institutions_required"):
        return
    key_group = (
        await session.execute(
            select(Trainee.identity_category)
            .where(Trainee.id.in_(roster), Trainee.identity_category.in_(list(KEY_GROUPS)))
            .distinct()
        )
    ).scalars()
    categories = sorted(str(c) for c in key_group)
    if not categories:
        return
    organiser = await session.get(Organisation, training_class.organiser_id)
    city = await city_of(session, training_class.region_code)
    if (
        organiser is not None
        and organiser.kind is OrganisationKind.DESIGNATED_INSTITUTION
        and organiser.designated_city_code == city
    ):
        return
    raise PolicyViolation(
        f"the roster has trainees of key groups ({', '.join(categories)}): in {city} their"
        " training is organised by the city's designated training institutions (定点培训机构),"
        " and the organiser is not one"
    )


def check_materials(materials: list[dict[str, Any]], params: ParametersInForce) -> list[dict]:
    """Validate attached materials' metadata; all kinds are required where the city requires them."""
    rows = []
    for material in materials:
        item = material.get("item")
        if item not in OPENING_MATERIALS:
            raise PolicyViolation(
                f"unknown opening material {item!r}; one of {', '.join(OPENING_MATERIALS)}"
            )
        sha256 = str(material.get("sha256") or "").lower()
        if not _SHA256.match(sha256):
            raise PolicyViolation(f"{OPENING_MATERIALS[item]}: a SHA-256 of the file is required")
        if not str(material.get("name") or "").strip():
            raise PolicyViolation(f"{OPENING_MATERIALS[item]}: the file name is required")
        rows.append({**material, "sha256": sha256, "title": OPENING_MATERIALS[item]})
    if params.get("opening_materials_required"):
        missing = [
            title
            for key, title in OPENING_MATERIALS.items()
            if key not in {row["item"] for row in rows}
        ]
        if missing:
            raise PolicyViolation(
                "the opening needs these materials attached: " + "、".join(missing)
            )
    return rows
