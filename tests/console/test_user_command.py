"""`hub user create --password-stdin` as a script runs it, and the account it makes signs in."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.console.accounts import SignInRefused, sign_in
from hub.db import transaction
from schema.tables import StaffAccount


def hub_user(
    engine: AsyncEngine, tmp_path: Path, *args: str, stdin: str
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "HUB_DATA_DIR": str(tmp_path / "data"),
        "HUB_DATABASE_URL": engine.url.render_as_string(hide_password=False),
    }
    return subprocess.run(
        [sys.executable, "-m", "hub", "user", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def test_create_reads_the_password_from_stdin_and_hashes_it(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    made = hub_user(
        engine,
        tmp_path,
        "create",
        "--username",
        "wh-ops",
        "--name",
        "乌海市人社局",
        "--role",
        "city",
        "--region",
        "150300",
        "--password-stdin",
        stdin="correct horse battery\n",
    )
    assert made.returncode == 0, made.stderr
    async with transaction(engine) as db:
        account = (await db.scalars(select(StaffAccount))).one()
        assert account.password_hash.startswith("$argon2id$")
        assert "correct horse" not in account.password_hash
        assert PasswordHasher().verify(account.password_hash, "correct horse battery")
        signed = await sign_in(db, "wh-ops", "correct horse battery")
        assert (signed.role, signed.region_code) == ("city", "150300")
        with pytest.raises(SignInRefused):
            await sign_in(db, "wh-ops", "wrong horse battery")
    listed = hub_user(engine, tmp_path, "list", stdin="")
    assert "wh-ops\tcity\t150300\tactive" in listed.stdout


async def test_unusable_accounts_are_refused_with_a_reason(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    cases = [
        (["--role", "city"], "needs a region"),
        (["--role", "city", "--region", "999999"], "unknown region"),
        (["--role", "connector"], "cannot have a console account"),
        (["--role", "org", "--org", "91150300MA0N111100"], "too short"),
    ]
    for extra, reason in cases:
        password = "short\n" if reason == "too short" else "long-enough-password\n"
        result = hub_user(
            engine,
            tmp_path,
            "create",
            "--username",
            "x",
            "--name",
            "x",
            *extra,
            "--password-stdin",
            stdin=password,
        )
        assert result.returncode == 2, result.stdout
        assert reason in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
    async with transaction(engine) as db:
        assert (await db.scalars(select(StaffAccount))).all() == []
