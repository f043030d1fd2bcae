"""The catalogue answered two ways — public GraphQL and `GET /catalogue` — agrees with a plain
model of listings, over generated sequences of listing and unlisting by cities and the region."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.db import transaction
from hub.platforms.service import ensure_platform
from schema.tables import CatalogueListing
from tests.api.conftest import Api

PLATFORMS = ("p-a", "p-b", "p-c")
KEEPERS = {"150300": ("city", "150300"), "150100": ("city", "150100"), "150000": ("region", None)}
READERS = {  # region asked for -> catalogues that apply there
    "150302": ("150300", "150000"),
    "150300": ("150300", "150000"),
    "150102": ("150100", "150000"),
    "150000": ("150000",),
}
Op = tuple[str, str, str]  # (list | unlist, jurisdiction, platform)
OPS = st.lists(
    st.tuples(
        st.sampled_from(("list", "unlist")),
        st.sampled_from(list(KEEPERS)),
        st.sampled_from(PLATFORMS),
    ),
    min_size=1,
    max_size=12,
)
CATALOGUE = """query($r: String!, $h: Boolean!) { platformCatalogue(region: $r, includeHistory: $h) {
  platformCode jurisdictionCode unlistedOn } }"""


def generated_sequences() -> list[list[Op]]:
    """Sequences drawn by hypothesis (run here, outside the event loop, then replayed)."""
    drawn: list[list[Op]] = []

    @settings(max_examples=12, database=None, deadline=None)
    @given(OPS)
    def collect(ops: list[Op]) -> None:
        drawn.append(ops)

    collect()
    return drawn


async def test_graphql_and_route_agree_with_the_model(
    api: Api, token: Callable[..., str], engine: AsyncEngine
) -> None:
    async with transaction(engine) as db:
        for code in PLATFORMS:
            await ensure_platform(db, code, name=f"平台 {code}", url=f"https://{code}.example")
    bearers = {j: token(role, **({"region": r} if r else {})) for j, (role, r) in KEEPERS.items()}
    for ops in generated_sequences():
        async with transaction(engine) as db:
            await db.execute(delete(CatalogueListing))
        open_listings: set[tuple[str, str]] = set()
        listed = 0
        for action, jurisdiction, platform in ops:
            verb = "listPlatformInCatalogue" if action == "list" else "unlistPlatformFromCatalogue"
            body = await api.query(
                bearers[jurisdiction],
                f'mutation($p: String!) {{ {verb}(platform: $p, reason: "理由") {{ platformCode }} }}',
                {"p": platform},
            )
            key = (platform, jurisdiction)
            if action == "list":
                expected_error = "BAD_USER_INPUT" if key in open_listings else None
                if expected_error is None:
                    open_listings.add(key)
                    listed += 1
            else:
                expected_error = None if key in open_listings else "NOT_FOUND"
                open_listings.discard(key)
            got = body["errors"][0]["extensions"]["code"] if "errors" in body else None
            assert got == expected_error, (ops, action, jurisdiction, platform, body)
        for region, applies in READERS.items():
            model = {(p, j) for p, j in open_listings if j in applies}
            graphql = await api.data(None, CATALOGUE, {"r": region, "h": False})
            from_graphql = {
                (e["platformCode"], e["jurisdictionCode"]) for e in graphql["platformCatalogue"]
            }
            route = (await api.client.get("/catalogue", params={"region": region})).json()
            from_route = {(e["platform"], e["jurisdiction"]) for e in route["platforms"]}
            assert from_graphql == from_route == model, (ops, region)
        history = await api.data(None, CATALOGUE, {"r": "150000", "h": True})
        everything = [
            e
            for region in ("150300", "150100")
            for e in (await api.data(None, CATALOGUE, {"r": region, "h": True}))[
                "platformCatalogue"
            ]
            if e["jurisdictionCode"] != "150000"
        ] + history["platformCatalogue"]
        assert len(everything) == listed, ops  # every listing kept, closed ones too
