"""Per-request context: the caller, its scope, one database session, loaders, the read log."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Executable, Result, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from hub.api.errors import ScopeDenied, Unauthenticated
from hub.api.request_session import finished
from hub.auth.principal import Principal, Role
from hub.auth.scopes import Scope, scope_for
from hub.security.pii import PiiVault
from hub.settings import Settings

T = TypeVar("T")


@dataclass
class HubContext:
    settings: Settings
    session: AsyncSession
    vault: PiiVault
    principal: Principal | None
    auth_error: str | None = None
    operation: str | None = None
    read_path: str = "resolvers"  # or "compiled"/"mixed" (hub/api/compiled/extension.py)
    # Resolvers run concurrently but one AsyncSession must not: statements take turns.
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    loaders: dict[Any, DataLoader] = field(default_factory=dict)
    unmasked: dict[tuple[str, str], set[int]] = field(default_factory=lambda: defaultdict(set))

    def require(self, *roles: Role) -> Principal:
        """The caller, who must be authenticated (and, if roles are given, hold one of them)."""
        if self.principal is None:
            raise Unauthenticated(self.auth_error or "a bearer token is required")
        if roles and self.principal.role not in roles:
            raise ScopeDenied(f"role {self.principal.role} may not do this")
        return self.principal

    @property
    def scope(self) -> Scope:
        return scope_for(self.require())

    async def execute(self, statement: Executable) -> Result[Any]:
        return await self.run(lambda session: session.execute(statement))

    async def run(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """`work(session)` on the request's session, its turn taken, and run to its end even if
        the field that asked is cancelled (a sibling failed): see `request_session.finished`."""
        async with self.lock:
            return await finished(self.session, work(self.session))

    def loader(self, key: Any, load: Callable[[Sequence[Any]], Awaitable[list[Any]]]) -> DataLoader:
        """The request's DataLoader for `key`, created on first use."""
        if key not in self.loaders:
            self.loaders[key] = DataLoader(load_fn=load)
        return self.loaders[key]

    def rows_by_id(self, table: Any) -> DataLoader:
        """Loads rows of `table` by id, within the caller's scope (None when out of scope)."""

        async def load(ids: Sequence[int]) -> list[Any]:
            query = select(table).where(table.id.in_(ids), self.scope.for_table(table))
            found = {row.id: row for row in (await self.execute(query)).scalars()}
            return [found.get(i) for i in ids]

        return self.loader(("by_id", table), load)

    def rows_by_parent(self, table: Any, parent_column: str, limit: int) -> DataLoader:
        """Loads, per parent id, up to `limit` scoped child rows in one statement for all parents."""
        column = getattr(table, parent_column)

        async def load(parent_ids: Sequence[int]) -> list[list[Any]]:
            ranked = (
                select(
                    table.id.label("child_id"),
                    func.row_number().over(partition_by=column, order_by=table.id).label("rank"),
                )
                .where(column.in_(parent_ids), self.scope.for_table(table))
                .subquery()
            )
            query = (
                select(table)
                .join(ranked, ranked.c.child_id == table.id)
                .where(ranked.c.rank <= limit)
                .order_by(table.id)
            )
            grouped: dict[int, list[Any]] = defaultdict(list)
            for row in (await self.execute(query)).scalars():
                grouped[getattr(row, parent_column)].append(row)
            return [grouped.get(i, []) for i in parent_ids]

        return self.loader(("by_parent", table, parent_column, limit), load)

    def reveal(self, entity: str, row_id: int, field_name: str, cipher: str | None) -> str | None:
        """Decrypt a personal field for a caller allowed to read it, noting the read for the log."""
        if cipher is None:
            return None
        self.unmasked[(entity, field_name)].add(row_id)
        return self.vault.decrypt(cipher)
