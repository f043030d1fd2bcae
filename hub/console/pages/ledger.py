"""台账: trainees and persons by name or exact ID number; classes with roster, sessions, hours."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hub.console.graphql import GraphQLFailure
from hub.console.web import (
    BAD_CURSOR,
    PREFIX,
    Console,
    User,
    is_htmx,
    one_object,
    page,
    page_links,
    signed_in,
)

TRAINEES_PAGE = 50
CLASSES_PAGE = 30
PERSONS_PAGE = 20
ONLINE_CAP = 0.4  # online hours count up to 40% of the course's hours (内人社办发〔2020〕16号)
SEARCH = """
query LedgerSearch(
  $filter: TraineeFilter, $first: Int!, $after: String,
  $persons: PersonFilter, $personsFirst: Int!, $personsAfter: String
) {
  trainees(filter: $filter, first: $first, after: $after, order: DESC) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id name idNumber identityCategory onlineSeconds lastSessionAt
      region { name } platform { name } person { id } } }
  }
  persons(filter: $persons, first: $personsFirst, after: $personsAfter) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id name idNumber birthYear isMale trainees { platform { name } region { name } } } }
  }
}
"""
CLASSES = """
query Classes($first: Int!, $after: String) {
  trainingClasses(first: $first, after: $after, order: DESC) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id name sourceId startsOn endsOn approvedAt
      course { title occupationName skillLevel totalHours onlineHours }
      organiser { name registered } region { name } platform { name } } }
  }
}
"""
CLASS = """
query ClassDetail($id: ID!) {
  node(id: $id) {
    ... on TrainingClass {
      id name sourceId startsOn endsOn approvedAt
      course { title occupationName skillLevel totalHours onlineHours }
      organiser { name creditCode registered } region { name } platform { name }
      enrolments { enrolledOn trainee { id name idNumber identityCategory } }
    }
  }
  learningSessions(filter: {trainingClass: $id}, first: 500) {
    totalCount
    edges { node { startedAt endedAt durationSeconds reportedSeconds mode activity trainee { id name } } }
  }
}
"""


def hours_per_trainee(
    enrolments: list[dict[str, Any]], sessions: list[dict[str, Any]], course_hours: float
) -> list[dict[str, Any]]:
    """Online and offline hours of each enrolled trainee, the online share and whether it is over
    the cap (40% of the course's hours, the most that online study counts for)."""
    online: dict[str, float] = defaultdict(float)
    offline: dict[str, float] = defaultdict(float)
    for s in sessions:
        who = (s.get("trainee") or {}).get("id")
        target = online if s["mode"] == "ONLINE" else offline
        target[who] += s["durationSeconds"] / 3600
    cap = ONLINE_CAP * course_hours
    rows = []
    for e in enrolments:
        t = e.get("trainee")
        if t is None:
            continue
        on, off = online.get(t["id"], 0.0), offline.get(t["id"], 0.0)
        share = on / course_hours if course_hours else 0.0
        rows.append(
            {
                **t,
                "online": on,
                "offline": off,
                "counted": min(on, cap),
                "share": share,
                "over": on > cap,
                "bar": min(share, 1.0) * 100,
            }
        )
    return rows


def timeline(sessions: list[dict[str, Any]]) -> dict[str, Any]:
    """An ECharts option: hours per day (Beijing time), online and offline stacked."""
    from hub.console.labels import beijing

    days: dict[str, dict[str, float]] = defaultdict(lambda: {"ONLINE": 0.0, "OFFLINE": 0.0})
    for s in sessions:
        days[beijing(s["startedAt"], with_time=False)][s["mode"]] += s["durationSeconds"] / 3600
    order = sorted(days)
    return {
        "title": {
            "text": "学习记录时间轴（每日学时）",
            "left": "center",
            "textStyle": {"fontSize": 14},
        },
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 45, "right": 20, "top": 40, "bottom": 60},
        "xAxis": {"type": "category", "data": order},
        "yAxis": {"type": "value", "name": "小时"},
        "series": [
            {
                "name": name,
                "type": "bar",
                "stack": "h",
                "data": [round(days[d][mode], 1) for d in order],
            }
            for mode, name in (("ONLINE", "线上"), ("OFFLINE", "线下"))
        ],
    }


def _pager(
    request: Request,
    trainees: dict[str, Any] | None,
    persons: dict[str, Any] | None,
    classes: dict[str, Any] | None,
) -> dict[str, str | None]:
    """The links that turn the pages of the trainees, the persons and the classes, each keeping
    the search and the other lists' pages: `trainees_first`, `trainees_next`, `persons_first`…"""
    params = dict(request.query_params)
    links: dict[str, str | None] = {}
    for prefix, key, found in (
        ("trainees", "after", trainees),
        ("persons", "personsAfter", persons),
        ("classes", "classesAfter", classes),
    ):
        first, after = page_links("/ledger", params, key, (found or {}).get("pageInfo"))
        links[f"{prefix}_first"], links[f"{prefix}_next"] = first, after
    return links


def ledger_routes(console: Console) -> list[Route]:
    async def search(request: Request, user: User) -> Response:
        name = request.query_params.get("name", "").strip()
        id_number = request.query_params.get("idNumber", "").strip().upper()
        trainee_filter = {k: v for k, v in (("name", name), ("idNumber", id_number)) if v}
        after = request.query_params.get("after") or None
        persons_after = request.query_params.get("personsAfter") or None
        classes_after = request.query_params.get("classesAfter") or None
        documents: list[tuple[str, dict[str, Any] | None]] = [
            (
                SEARCH,
                {
                    "filter": trainee_filter or None,
                    "first": TRAINEES_PAGE,
                    "after": after,
                    "persons": trainee_filter or None,
                    "personsFirst": PERSONS_PAGE,
                    "personsAfter": persons_after,
                },
            )
        ]
        if not is_htmx(request):
            documents.append((CLASSES, {"first": CLASSES_PAGE, "after": classes_after}))
        results = await console.gql.run_all(user.principal, documents)
        failure = next((r for r in results if isinstance(r, GraphQLFailure)), None)
        if (
            failure is not None
            and failure.code == "BAD_USER_INPUT"
            and (after or persons_after or classes_after)
        ):
            return page(
                console, request, user, "problem.html", "ledger", 400, title="台账",
                message=BAD_CURSOR,
            )  # fmt: skip
        found = results[0] if failure is None else {}
        classes = results[1]["trainingClasses"] if failure is None and len(results) > 1 else {}
        template = "ledger_results.html" if is_htmx(request) else "ledger.html"
        return page(
            console,
            request,
            user,
            template,
            "ledger",
            problem=failure.message if failure else None,
            name=name,
            id_number=id_number,
            searched=bool(trainee_filter),
            trainees=found.get("trainees"),
            persons=found.get("persons"),
            classes=classes,
            pages=_pager(request, found.get("trainees"), found.get("persons"), classes),
        )

    async def training_class(request: Request, user: User) -> Response:
        data, problem = await one_object(
            console,
            request,
            user,
            CLASS,
            "ledger",
            "培训班",
            "未找到该培训班，或不在您的权限范围内",
        )
        if problem is not None:
            return problem
        node = data["node"]
        sessions = [e["node"] for e in data["learningSessions"]["edges"]]
        course_hours = (node.get("course") or {}).get("totalHours") or 0.0
        return page(
            console,
            request,
            user,
            "class.html",
            "ledger",
            c=node,
            rows=hours_per_trainee(node["enrolments"], sessions, course_hours),
            sessions=sessions,
            session_total=data["learningSessions"]["totalCount"],
            cap=ONLINE_CAP,
            chart=timeline(sessions),
        )

    return [
        Route(f"{PREFIX}/ledger", signed_in(console, search)),
        Route(f"{PREFIX}/ledger/classes/{{id}}", signed_in(console, training_class)),
    ]
