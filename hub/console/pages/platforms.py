"""平台 and 导出: platforms with their last sync runs and quarantine; the XLSX exports."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hub.console import labels
from hub.console.graphql import GraphQLFailure
from hub.console.web import PREFIX, Console, User, page, signed_in

PLATFORMS = """
query Platforms {
  platforms(first: 100) {
    totalCount
    edges { node { id code name kind platformType url filingStatus scheduleMinutes
      region { name } operator { name registered } } }
  }
  syncRuns(order: DESC, first: 20) {
    totalCount
    edges { node { id trigger status startedAt finishedAt stats error platform { name } } }
  }
  quarantinedRecords(order: DESC, first: 50) {
    totalCount
    edges { node { id recordType sourceId reason waitingForType waitingForId createdAt raw
      platform { name } } }
  }
}
"""
EXPORT_CLAIMS = """
query ExportClaims { subsidyClaims(first: 100, order: DESC) {
  edges { node { id status trainingClass { name } organisation { name registered } } } } }
"""
EXPORTS = (
    ("ledger", "实名制培训台账", "学员、培训班与学时，一人一行"),
    ("learning-records", "学习记录明细", "每条线上/线下学习记录"),
    ("statistics", "统计汇总", "按地区、平台、身份类别汇总"),
)


def run_summary(stats: object) -> str:
    """A sync run's counts over every record type, as one line."""
    if not isinstance(stats, dict) or not stats:
        return "—"
    totals: dict[str, int] = {}
    for counts in stats.values():
        if isinstance(counts, dict):
            for key, value in counts.items():
                if isinstance(value, int):
                    totals[key] = totals.get(key, 0) + value
    names = (
        ("inserted", "新增"),
        ("updated", "更新"),
        ("unchanged", "未变"),
        ("quarantined", "隔离"),
    )
    return "，".join(f"{label} {totals.get(key, 0)}" for key, label in names)


def platform_routes(console: Console) -> list[Route]:
    async def platforms(request: Request, user: User) -> Response:
        try:
            data = await console.gql.run(user.principal, PLATFORMS)
        except GraphQLFailure as failure:
            return page(
                console,
                request,
                user,
                "problem.html",
                "platforms",
                403,
                title="平台",
                message=failure.message,
            )
        return page(
            console,
            request,
            user,
            "platforms.html",
            "platforms",
            platforms=data["platforms"],
            runs=data["syncRuns"],
            quarantine=data["quarantinedRecords"],
            filing=lambda v: labels.label(labels.FILING_STATUSES, v),
            run_summary=run_summary,
        )

    async def exports(request: Request, user: User) -> Response:
        try:
            claims = (await console.gql.run(user.principal, EXPORT_CLAIMS))["subsidyClaims"][
                "edges"
            ]
        except GraphQLFailure:
            claims = []
        return page(
            console, request, user, "exports.html", "exports", exports=EXPORTS, claims=claims
        )

    return [
        Route(f"{PREFIX}/platforms", signed_in(console, platforms)),
        Route(f"{PREFIX}/exports", signed_in(console, exports)),
    ]
