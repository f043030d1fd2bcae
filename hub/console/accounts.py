"""Staff accounts of the console: Argon2 password hashes, lockout, and the sign-in log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple, Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from hub.auth.principal import InvalidPrincipal, Principal, Role
from schema.regions import REGIONS
from schema.tables import AccessLogEntry, StaffAccount
from schema.types import utcnow

MAX_FAILED_ATTEMPTS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10
# Platforms sign in with API keys, not console accounts.
ACCOUNT_ROLES = frozenset(Role) - {Role.CONNECTOR}
_hasher = PasswordHasher()
REGION_CODES = frozenset(code for code, *_ in REGIONS)
# Verifying against this keeps an unknown username as slow as a wrong password.
_DUMMY_HASH = _hasher.hash("unknown-user-timing-equaliser")


class AccountError(ValueError):
    """An account that cannot be created or changed as asked; the message says why."""


class SignInRefused(Exception):
    """Wrong username or password, a locked or a disabled account."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason  # for the access log: wrong-password, locked, disabled


@dataclass(frozen=True)
class AccountView:
    """What the console shows of an account (never the hash)."""

    id: int
    username: str
    name: str
    role: str
    region_code: str | None
    org_credit_code: str | None
    industry: str | None
    active: bool
    locked: bool
    last_sign_in_at: datetime | None


class _Acting(Protocol):
    username: str
    role: str
    region_code: str | None
    org_credit_code: str | None


def principal_for(account: _Acting) -> Principal:
    """The caller an account acts as: `user:<username>` with its role and area or organisation."""
    return Principal(
        subject=f"user:{account.username}",
        role=Role(account.role),
        region_code=account.region_code,
        org_credit_code=account.org_credit_code,
    )


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"密码至少 {MIN_PASSWORD_LENGTH} 位 (password too short)")


async def create_account(
    db: AsyncSession,
    *,
    username: str,
    name: str,
    role: str,
    password: str,
    region: str | None = None,
    org: str | None = None,
    industry: str | None = None,
) -> StaffAccount:
    """Create an account; raises AccountError for a taken username or an unusable role/area."""
    username = username.strip()
    if not username or len(username) > 64:
        raise AccountError("username must be 1 to 64 characters")
    try:
        role_value = Role(role)
    except ValueError:
        raise AccountError(f"unknown role {role!r}") from None
    if role_value not in ACCOUNT_ROLES:
        raise AccountError(f"role {role} cannot have a console account")
    if region and region not in REGION_CODES:
        raise AccountError(f"unknown region code {region!r}")
    _check_password(password)
    account = StaffAccount(
        username=username,
        name=name.strip() or username,
        role=role_value.value,
        region_code=region or None,
        org_credit_code=org or None,
        industry=industry or None,
        password_hash=_hasher.hash(password),
    )
    try:
        principal_for(account)
    except InvalidPrincipal as error:
        raise AccountError(str(error)) from None
    taken = await db.scalar(select(StaffAccount.id).where(StaffAccount.username == username))
    if taken is not None:
        raise AccountError(f"username {username!r} is taken")
    db.add(account)
    await db.flush()
    return account


async def sign_in(db: AsyncSession, username: str, password: str) -> StaffAccount:
    """The account for these credentials, counting failures and locking after too many.

    The caller commits: a failed attempt's counter must be kept too.
    """
    account = await db.scalar(select(StaffAccount).where(StaffAccount.username == username))
    if account is None:
        _verify(_DUMMY_HASH, password)
        raise SignInRefused("用户名或密码错误", "wrong-password")
    now = utcnow()
    if account.locked_until is not None and account.locked_until > now:
        raise SignInRefused("尝试次数过多，账户已锁定，请稍后再试", "locked")
    if not _verify(account.password_hash, password):
        account.failed_attempts += 1
        if account.failed_attempts >= MAX_FAILED_ATTEMPTS:
            account.locked_until = now + LOCKOUT
            account.failed_attempts = 0
        raise SignInRefused("用户名或密码错误", "wrong-password")
    if not account.active:
        raise SignInRefused("账户已停用", "disabled")
    account.failed_attempts = 0
    account.locked_until = None
    account.last_sign_in_at = now
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = _hasher.hash(password)
    return account


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# The columns a signed-in account acts with, of an account not disabled since.
_ACTING = select(
    StaffAccount.username,
    StaffAccount.name,
    StaffAccount.role,
    StaffAccount.region_code,
    StaffAccount.org_credit_code,
).where(StaffAccount.id == bindparam("account_id"), StaffAccount.active)


class Acting(NamedTuple):
    """Who a signed-in account acts as: its principal, display name and username."""

    principal: Principal
    name: str
    username: str


async def acting_as(db: AsyncConnection, account_id: int) -> Acting | None:
    """Who the account a session names acts as now, or None once it is disabled. It runs
    before every page: the columns only, no ORM object."""
    row = (await db.execute(_ACTING, {"account_id": account_id})).first()
    if row is None:
        return None
    return Acting(principal_for(row), row.name, row.username)


async def list_accounts(db: AsyncSession) -> list[AccountView]:
    """Every account, by username."""
    now = utcnow()
    rows = (await db.scalars(select(StaffAccount).order_by(StaffAccount.username))).all()
    return [
        AccountView(
            a.id or 0,
            a.username,
            a.name,
            a.role,
            a.region_code,
            a.org_credit_code,
            a.industry,
            a.active,
            a.locked_until is not None and a.locked_until > now,
            a.last_sign_in_at,
        )
        for a in rows
    ]


async def set_active(db: AsyncSession, account_id: int, active: bool) -> None:
    """Enable or disable an account; enabling also lifts a lockout."""
    account = await db.get(StaffAccount, account_id)
    if account is None:
        raise AccountError(f"no account {account_id}")
    account.active = active
    if active:
        account.locked_until = None
        account.failed_attempts = 0


async def reset_password(db: AsyncSession, account_id: int, password: str) -> None:
    """Set a new password (and lift a lockout)."""
    _check_password(password)
    account = await db.get(StaffAccount, account_id)
    if account is None:
        raise AccountError(f"no account {account_id}")
    account.password_hash = _hasher.hash(password)
    account.locked_until = None
    account.failed_attempts = 0


async def log_sign_event(
    db: AsyncSession, subject: str, role: str, event: str, account_id: int | None = None
) -> None:
    """One access-log row per sign-in, refused sign-in and sign-out (entity `console`)."""
    await db.execute(
        insert(AccessLogEntry).values(
            subject=subject[:200],
            role=role[:16],
            operation=event[:200],
            entity="console",
            record_ids=[account_id] if account_id else [],
            fields=[],
            read_at=utcnow(),
        )
    )
