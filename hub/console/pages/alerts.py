"""预警: the alert queue with filters, readable evidence, the records, confirm or dismiss."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hub.console.graphql import GraphQLFailure
from hub.console.web import (
    BAD_CURSOR,
    PREFIX,
    Console,
    User,
    back,
    is_htmx,
    page,
    page_links,
    signed_in,
)

ALERT_FIELDS = """
id rule severity status evidence reviewer reviewReason reviewedAt firstSeenAt lastSeenAt
region { name } organisation { name registered } trainingClass { id name }
records { type sourceId platform { name } }
"""
ALERTS = f"""
query Alerts($filter: AlertFilter, $first: Int!, $after: String) {{
  alerts(filter: $filter, first: $first, after: $after) {{
    totalCount pageInfo {{ hasNextPage endCursor }} edges {{ node {{ {ALERT_FIELDS} }} }}
  }}
  alertCounts {{ rule status count }}
}}
"""
PAGE_SIZE = 30  # cards a clerk works through before turning the page
ONE_ALERT = f"query Alert($id: ID!) {{ node(id: $id) {{ ... on Alert {{ {ALERT_FIELDS} }} }} }}"
REVIEW = {
    "confirm": f"mutation Confirm($id: ID!, $reason: String) {{ confirmAlert(id: $id, reason: $reason) {{ {ALERT_FIELDS} }} }}",
    "dismiss": f"mutation Dismiss($id: ID!, $reason: String!) {{ dismissAlert(id: $id, reason: $reason) {{ {ALERT_FIELDS} }} }}",
}
FILTERS = ("status", "rule", "severity")


def alert_routes(console: Console) -> list[Route]:
    def card(request: Request, user: User, alert: dict, problem: str | None = None) -> Response:
        return console.render(
            request,
            "alert_card.html",
            user,
            a=alert,
            problem=problem,
        )

    async def queue(request: Request, user: User) -> Response:
        chosen = {k: request.query_params.get(k, "") for k in FILTERS}
        if "status" not in request.query_params:
            chosen["status"] = "open"
        flt = {k: v for k, v in chosen.items() if v} or None
        after = request.query_params.get("after") or None
        variables = {"filter": flt, "first": PAGE_SIZE, "after": after}
        try:
            data = await console.gql.run(user.principal, ALERTS, variables)
        except GraphQLFailure as failure:
            bad_cursor = failure.code == "BAD_USER_INPUT" and after is not None
            return page(
                console,
                request,
                user,
                "problem.html",
                "alerts",
                400 if failure.code == "BAD_USER_INPUT" else 403,
                title="预警",
                message=BAD_CURSOR if bad_cursor else failure.message,
            )
        shown = {**chosen, "after": after} if after else chosen
        first_page, next_page = page_links("/alerts", shown, "after", data["alerts"]["pageInfo"])
        rules = sorted({c["rule"] for c in data["alertCounts"]})
        return page(
            console,
            request,
            user,
            "alerts.html",
            "alerts",
            alerts=data["alerts"],
            rules=rules,
            chosen=chosen,
            first_page=first_page,
            next_page=next_page,
        )

    async def review(request: Request, user: User) -> Response:
        action = request.path_params["action"]
        if action not in REVIEW:
            return Response("unknown action", 404)
        form = await request.form()
        reason = str(form.get("reason") or "").strip() or None
        alert_id = request.path_params["id"]
        try:
            data = await console.gql.run(
                user.principal, REVIEW[action], {"id": alert_id, "reason": reason}
            )
        except GraphQLFailure as failure:
            message = (
                "排除预警必须填写理由"
                if failure.code == "BAD_USER_INPUT" and action == "dismiss"
                else failure.message
            )
            if is_htmx(request) and failure.code == "BAD_USER_INPUT":
                # The card again, saying what is missing (a 4xx would only log an error).
                current = await console.gql.run(user.principal, ONE_ALERT, {"id": alert_id})
                if current.get("node"):
                    return card(request, user, current["node"], message)
            if is_htmx(request):
                return Response(message, 409)
            return back(f"{PREFIX}/alerts", message, error=True)
        alert = data["confirmAlert" if action == "confirm" else "dismissAlert"]
        if is_htmx(request):
            return card(request, user, alert)
        done = "已确认预警" if action == "confirm" else "已排除预警"
        return back(f"{PREFIX}/alerts", done)

    return [
        Route(f"{PREFIX}/alerts", signed_in(console, queue)),
        Route(f"{PREFIX}/alerts/{{id}}/{{action}}", signed_in(console, review), methods=["POST"]),
    ]
