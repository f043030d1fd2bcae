"""审批: filings, class openings and claims waiting for the user's role, and their workflow steps."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hub.auth.principal import Role
from hub.console.graphql import GraphQLFailure
from hub.console.web import PREFIX, Console, User, back, one_object, page, signed_in

HISTORY = "history { fromStatus toStatus actorSubject actorRole reason at }"
QUEUE = f"""
query Queue($filings: WorkflowFilter, $openings: WorkflowFilter, $claims: SubsidyClaimFilter, $withWorkflow: Boolean!) {{
  platformFilings(filter: $filings, first: 50) @include(if: $withWorkflow) {{
    totalCount
    edges {{ node {{ id status regionCode platformType legalRepresentative contactPerson createdAt
      platform {{ name code }} organisation {{ name registered }}
      capabilities {{ question answer }} attachments {{ name size }} {HISTORY} }} }}
  }}
  classOpenings(filter: $openings, first: 50) @include(if: $withWorkflow) {{
    totalCount
    edges {{ node {{ id status regionCode totalHours onlineHours rosterSize createdAt
      trainingClass {{ id name startsOn endsOn organiser {{ name registered }} }}
      teachingPlan {{ topic hours mode }} agreements {{ platformCode method content periodFrom periodTo fee commissioningParty commissionedParty }}
      {HISTORY} }} }}
  }}
  subsidyClaims(filter: $claims, first: 100, order: DESC) {{
    totalCount
    edges {{ node {{ id status year submittedAt eligibleTrainees subsidyAmount preDisbursedAmount
      settledAmount trainingClass {{ name }} organisation {{ name registered }} }} }}
  }}
}}
"""
CLAIM = f"""
query Claim($id: ID!) {{
  node(id: $id) {{
    ... on SubsidyClaim {{
      id status year regionCode occupation skillLevel submittedAt createdAt settledAt
      eligibleTrainees qualifiedTrainees certifiedTrainees excludedTrainees
      standardAmount subsidyAmount preDisbursedAmount settledAmount platformFee balanceDue
      parameters commitmentAcceptedAt blockingAlertCount blockingAlerts {{ id rule }}
      lines {{ trainee onlineHours countedOnlineHours offlineHours creditedHours qualified certified settledAmount }}
      checklist {{ key title source complete detail }}
      {HISTORY}
      organisation {{ name creditCode registered }}
      trainingClass {{ id name startsOn endsOn enrolments {{ trainee {{ id name idNumber }} }} }}
    }}
  }}
}}
"""
# What each role is waiting to do: the statuses of its queue.
WAITING = {
    Role.DISTRICT: {"filings": "filed", "openings": "submitted", "claims": ("submitted",)},
    Role.CITY: {
        "filings": "district_reviewed",
        "openings": "submitted",
        "claims": ("district_reviewed",),
    },
    Role.FINANCE: {"claims": ("city_approved", "pre_disbursed")},
}
# (entity path, step) -> (mutation, label, roles, statuses it applies to, reason required)
STEPS: dict[tuple[str, str], tuple[str, str, tuple[Role, ...], tuple[str, ...], bool]] = {
    ("filings", "review"): (
        "reviewPlatformFiling",
        "审核通过",
        (Role.DISTRICT,),
        ("filed",),
        False,
    ),
    ("filings", "approve"): (
        "approvePlatformFiling",
        "批准备案",
        (Role.CITY,),
        ("district_reviewed",),
        False,
    ),
    ("filings", "return"): (
        "returnPlatformFiling",
        "退回",
        (Role.DISTRICT, Role.CITY),
        ("filed", "district_reviewed"),
        True,
    ),
    ("openings", "approve"): (
        "approveClassOpening",
        "批准开班",
        (Role.DISTRICT, Role.CITY),
        ("submitted",),
        False,
    ),
    ("openings", "return"): (
        "returnClassOpening",
        "退回",
        (Role.DISTRICT, Role.CITY),
        ("submitted",),
        True,
    ),
    ("claims", "review"): (
        "reviewSubsidyClaim",
        "审核通过",
        (Role.DISTRICT,),
        ("submitted",),
        False,
    ),
    ("claims", "approve"): (
        "approveSubsidyClaim",
        "审批通过",
        (Role.CITY,),
        ("district_reviewed",),
        False,
    ),
    ("claims", "return"): (
        "returnSubsidyClaim",
        "退回补正",
        (Role.DISTRICT, Role.CITY),
        ("submitted", "district_reviewed"),
        True,
    ),
    ("claims", "reject"): (
        "rejectSubsidyClaim",
        "驳回",
        (Role.DISTRICT, Role.CITY),
        ("submitted", "district_reviewed"),
        True,
    ),
    ("claims", "pre-disburse"): (
        "preDisburseSubsidyClaim",
        "预拨补贴",
        (Role.FINANCE,),
        ("city_approved",),
        False,
    ),
    ("claims", "settle"): (
        "settleSubsidyClaim",
        "清算",
        (Role.FINANCE,),
        ("pre_disbursed",),
        False,
    ),
}
KIND_PAGES = {"filings": "", "openings": "", "claims": "/claims/{id}"}


def steps_for(user: User, kind: str, status: str) -> list[dict[str, Any]]:
    """The workflow buttons the user may press on an item of `kind` in `status`."""
    return [
        {"step": step, "label": label, "reason": needs_reason}
        for (k, step), (_, label, roles, statuses, needs_reason) in STEPS.items()
        if k == kind and user.principal.role in roles and status in statuses
    ]


def approval_routes(console: Console) -> list[Route]:
    async def queue(request: Request, user: User) -> Response:
        role = user.principal.role
        show_all = request.query_params.get("all") == "1" or role not in WAITING
        waiting = WAITING.get(role, {})
        variables = {
            "filings": None if show_all else {"status": waiting.get("filings", "none")},
            "openings": None if show_all else {"status": waiting.get("openings", "none")},
            "claims": None,
            "withWorkflow": role is not Role.FINANCE,
        }
        try:
            data = await console.gql.run(user.principal, QUEUE, variables)
        except GraphQLFailure as failure:
            return page(
                console,
                request,
                user,
                "problem.html",
                "approvals",
                403,
                title="审批",
                message=failure.message,
            )
        claims = data["subsidyClaims"]["edges"]
        if not show_all:
            claims = [e for e in claims if e["node"]["status"] in waiting.get("claims", ())]
        return page(
            console,
            request,
            user,
            "approvals.html",
            "approvals",
            show_all=show_all,
            can_filter=role in WAITING,
            filings=(data.get("platformFilings") or {}).get("edges", []),
            openings=(data.get("classOpenings") or {}).get("edges", []),
            claims=claims,
            steps=lambda kind, status: steps_for(user, kind, status),
        )

    async def claim(request: Request, user: User) -> Response:
        data, problem = await one_object(
            console,
            request,
            user,
            CLAIM,
            "approvals",
            "补贴申请",
            "未找到该补贴申请，或不在您的权限范围内",
        )
        if problem is not None:
            return problem
        node = data["node"]
        roster = ((node.get("trainingClass") or {}).get("enrolments")) or []
        names = {e["trainee"]["id"]: e["trainee"] for e in roster if e.get("trainee")}
        return page(
            console,
            request,
            user,
            "claim.html",
            "approvals",
            c=node,
            names=names,
            steps=steps_for(user, "claims", node["status"]),
        )

    async def act(request: Request, user: User) -> Response:
        kind, step, item = (request.path_params[k] for k in ("kind", "step", "id"))
        spec = STEPS.get((kind, step))
        target = f"{PREFIX}/approvals" + KIND_PAGES.get(kind, "").format(id=item)
        if spec is None:
            return Response("unknown step", 404)
        mutation, label, _roles, _statuses, needs_reason = spec
        reason = str((await request.form()).get("reason") or "").strip() or None
        if needs_reason and not reason:
            return back(target, f"{label}需要填写理由", error=True)
        document = (
            f"mutation Step($id: ID!, $reason: String) {{ {mutation}(id: $id, reason: $reason) {{ id status }} }}"
            if not needs_reason
            else f"mutation Step($id: ID!, $reason: String!) {{ {mutation}(id: $id, reason: $reason) {{ id status }} }}"
        )
        try:
            await console.gql.run(user.principal, document, {"id": item, "reason": reason})
        except GraphQLFailure as failure:
            return back(target, f"{label}未完成：{failure.message}", error=True)
        return back(target, f"{label}：已完成")

    return [
        Route(f"{PREFIX}/approvals", signed_in(console, queue)),
        Route(f"{PREFIX}/approvals/claims/{{id}}", signed_in(console, claim)),
        Route(
            f"{PREFIX}/approvals/{{kind}}/{{id}}/{{step}}",
            signed_in(console, act),
            methods=["POST"],
        ),
    ]
