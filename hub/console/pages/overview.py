"""概览: key figures and ECharts charts of `statistics` for the user's area."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hub.auth.principal import Role
from hub.console import labels
from hub.console.graphql import GraphQLFailure
from hub.console.web import PREFIX, Console, User, page, signed_in

FIGURES = "trainees persons sessions onlineHours offlineHours certificates qualified preDisbursed settled openAlerts"
OVERVIEW = f"""
query Overview($area: [StatDimension!]!) {{
  total: statistics(groupBy: []) {{ {FIGURES} }}
  byArea: statistics(groupBy: $area) {{ city {{ code name }} district {{ code name }} trainees persons }}
  byMonth: statistics(groupBy: [MONTH]) {{ month onlineHours offlineHours }}
  byCategory: statistics(groupBy: [IDENTITY_CATEGORY]) {{ identityCategory persons }}
}}
"""
# Money to recover (应追回): what settled claims paid out in advance beyond what they earned.
SETTLED_CLAIMS = """
query SettledClaims { subsidyClaims(filter: {status: "settled"}, first: 500) {
  totalCount edges { node { balanceDue } } } }
"""
OPEN_ALERTS = 'query OpenAlerts { alertCounts(filter: {status: "open"}) { rule count } }'
CARDS = (
    ("trainees", "学员（平台记录）", "int"),
    ("persons", "培训人员（去重）", "int"),
    ("onlineHours", "线上学时", "hours"),
    ("offlineHours", "线下学时", "hours"),
    ("certificates", "取证人数次", "int"),
    ("qualified", "考核合格", "int"),
    ("preDisbursed", "已预拨补贴", "money"),
    ("settled", "已清算补贴", "money"),
    ("toRecover", "待追回", "money"),
    ("openAlerts", "待处理预警", "int"),
)


def _bar(title: str, names: list[str], series: list[tuple[str, list[Any]]]) -> dict[str, Any]:
    return {
        "title": {"text": title, "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0, "show": len(series) > 1},
        "grid": {"left": 50, "right": 20, "top": 40, "bottom": 80 if len(series) > 1 else 60},
        "xAxis": {"type": "category", "data": names, "axisLabel": {"interval": 0, "rotate": 30}},
        "yAxis": {"type": "value"},
        "series": [{"name": n, "type": "bar", "data": d} for n, d in series],
    }


def charts(data: dict[str, Any], alert_counts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """ECharts options for the overview's figures."""
    area_rows = data.get("byArea") or []
    names = [
        ((r.get("district") or r.get("city") or {}).get("name") or "未归属地区") for r in area_rows
    ]
    months = sorted(data.get("byMonth") or [], key=lambda r: r.get("month") or "")
    categories = data.get("byCategory") or []
    options = [
        _bar(
            "各地区学员与人员",
            names,
            [
                ("学员", [r["trainees"] for r in area_rows]),
                ("人员", [r["persons"] for r in area_rows]),
            ],
        ),
        {
            **_bar(
                "每月线上/线下学时",
                [r["month"] or "—" for r in months],
                [
                    ("线上", [round(r["onlineHours"], 1) for r in months]),
                    ("线下", [round(r["offlineHours"], 1) for r in months]),
                ],
            ),
        },
        {
            "title": {
                "text": "补贴对象身份类别（人）",
                "left": "center",
                "textStyle": {"fontSize": 14},
            },
            "tooltip": {"trigger": "item"},
            "series": [
                {
                    "type": "pie",
                    "radius": ["35%", "65%"],
                    "top": 30,
                    "data": [
                        {
                            "name": labels.label(
                                labels.IDENTITY_CATEGORIES, str(r["identityCategory"]).lower()
                            ),
                            "value": r["persons"],
                        }
                        for r in categories
                        if r["identityCategory"]
                    ],
                }
            ],
        },
    ]
    if alert_counts:
        counts = sorted(alert_counts, key=lambda r: -r["count"])
        options.append(
            _bar(
                "待处理预警（按规则）",
                [labels.label(labels.RULES, r["rule"]) for r in counts],
                [("预警", [r["count"] for r in counts])],
            )
        )
    return options


def overview_routes(console: Console) -> list[Route]:
    async def overview(request: Request, user: User) -> Response:
        role = user.principal.role
        area = ["DISTRICT"] if role in (Role.CITY, Role.DISTRICT) else ["CITY"]
        documents: list[tuple[str, dict[str, Any] | None]] = [
            (OVERVIEW, {"area": area}),
            (SETTLED_CLAIMS, None),
        ]
        if role not in (Role.FINANCE, Role.ORG):
            documents.append((OPEN_ALERTS, None))
        found, settled, *counted = await console.gql.run_all(user.principal, documents)
        problem = found.message if isinstance(found, GraphQLFailure) else None
        data = {} if isinstance(found, GraphQLFailure) else found
        alert_counts = (
            []
            if not counted or isinstance(counted[0], GraphQLFailure)
            else counted[0]["alertCounts"]
        )
        total = (data.get("total") or [{}])[0] if data else {}
        figures = dict(total)
        if not isinstance(settled, GraphQLFailure):
            figures["toRecover"] = sum(
                -e["node"]["balanceDue"]
                for e in settled["subsidyClaims"]["edges"]
                if e["node"]["balanceDue"] < 0
            )
        return page(
            console,
            request,
            user,
            "overview.html",
            "overview",
            problem=problem,
            figures=figures,
            cards=CARDS,
            charts=charts(data, alert_counts) if data else [],
        )

    return [Route(f"{PREFIX}/", signed_in(console, overview))]
