"""账户: the region administrator creates, disables and resets staff accounts."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hub.console.accounts import (
    ACCOUNT_ROLES,
    AccountError,
    create_account,
    list_accounts,
    log_sign_event,
    reset_password,
    set_active,
)
from hub.console.web import PREFIX, Console, User, back, page, signed_in
from schema.regions import REGIONS

HERE_URL = f"{PREFIX}/accounts"


def account_routes(console: Console) -> list[Route]:
    def forbidden(request: Request, user: User) -> Response:
        return page(
            console,
            request,
            user,
            "problem.html",
            "accounts",
            403,
            title="账户管理",
            message="只有自治区管理员可以管理账户",
        )

    async def index(request: Request, user: User) -> Response:
        if not user.manages_accounts or user.username is None:
            return forbidden(request, user)
        async with console.db() as db:
            accounts = await list_accounts(db)
        roles = sorted(role.value for role in ACCOUNT_ROLES)
        regions = [(code, name) for code, name, *_ in REGIONS]
        return page(
            console,
            request,
            user,
            "accounts.html",
            "accounts",
            accounts=accounts,
            roles=roles,
            regions=regions,
        )

    async def create(request: Request, user: User) -> Response:
        if not user.manages_accounts or user.username is None:
            return forbidden(request, user)
        form = {k: str(v).strip() for k, v in (await request.form()).items()}
        async with console.db() as db:
            try:
                account = await create_account(
                    db,
                    username=form.get("username", ""),
                    name=form.get("name", ""),
                    role=form.get("role", ""),
                    password=form.get("password", ""),
                    region=form.get("region") or None,
                    org=form.get("org") or None,
                    industry=form.get("industry") or None,
                )
            except AccountError as error:
                return back(HERE_URL, f"未创建：{error}", error=True)
            await log_sign_event(
                db,
                user.principal.subject,
                user.role,
                f"account created: {account.username}",
                account.id,
            )
            await db.commit()
        return back(HERE_URL, f"已创建账户 {account.username}")

    async def change(request: Request, user: User) -> Response:
        if not user.manages_accounts or user.username is None:
            return forbidden(request, user)
        account_id = int(request.path_params["id"])
        action = request.path_params["action"]
        form = await request.form()
        async with console.db() as db:
            try:
                if action in ("disable", "enable"):
                    await set_active(db, account_id, action == "enable")
                elif action == "password":
                    await reset_password(db, account_id, str(form.get("password") or ""))
                else:
                    return Response("unknown action", 404)
            except AccountError as error:
                return back(HERE_URL, f"未完成：{error}", error=True)
            await log_sign_event(
                db, user.principal.subject, user.role, f"account {action}", account_id
            )
            await db.commit()
        return back(HERE_URL, "已保存")

    return [
        Route(HERE_URL, signed_in(console, index)),
        Route(HERE_URL, signed_in(console, create), methods=["POST"]),
        Route(f"{HERE_URL}/{{id:int}}/{{action}}", signed_in(console, change), methods=["POST"]),
    ]
