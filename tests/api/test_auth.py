"""Authentication: HS256 for development, RS256/ES256 from a JWKS file or URL, API keys."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from connectors.simulated.server import serve
from hub.api.app import create_app
from hub.auth.apikeys import UnknownPlatform, create_api_key, revoke_api_key
from hub.db import transaction
from hub.platforms.service import ensure_platform
from hub.settings import Settings
from tests.api.conftest import SECRET
from tests.test_cli import hub

ISSUER = "https://idp.example.test"
AUDIENCE = "training-data-hub"
VIEWER = "{ viewer { subject role platform } }"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims(**extra: Any) -> dict[str, Any]:
    now = int(time.time())
    return {"sub": "someone", "role": "region", "iat": now, "exp": now + 600, **extra}


def unsigned(payload: dict[str, Any]) -> str:
    header = {"alg": "none", "typ": "JWT"}
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}."


def hs256_with_key(payload: dict[str, Any], key: bytes) -> str:
    """HS256 by hand: PyJWT itself refuses to use a PEM public key as an HMAC secret."""
    header = {"alg": "HS256", "typ": "JWT"}
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}"
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


class Keys:
    def __init__(self) -> None:
        self.rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.ec = ec.generate_private_key(ec.SECP256R1())

    def jwks(self) -> dict[str, Any]:
        rsa_jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.rsa.public_key()))
        ec_jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(self.ec.public_key()))
        return {
            "keys": [
                {**rsa_jwk, "kid": "rsa-1", "use": "sig", "alg": "RS256"},
                {**ec_jwk, "kid": "ec-1", "use": "sig", "alg": "ES256"},
            ]
        }

    def rs256(self, payload: dict[str, Any], kid: str = "rsa-1") -> str:
        return jwt.encode(payload, self.rsa, algorithm="RS256", headers={"kid": kid})

    def es256(self, payload: dict[str, Any], kid: str = "ec-1") -> str:
        return jwt.encode(payload, self.ec, algorithm="ES256", headers={"kid": kid})

    def public_pem(self) -> bytes:
        return self.rsa.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


@pytest.fixture(scope="module")
def keys() -> Keys:
    return Keys()


@asynccontextmanager
async def client(settings: Settings, engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(settings, engine))
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as http:
        yield http


async def ask(http: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    return (await http.post("/graphql", json={"query": VIEWER}, headers=headers)).json()


def code(body: dict[str, Any]) -> str | None:
    return body["errors"][0]["extensions"]["code"] if "errors" in body else None


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_jwks_file_rs256_and_es256_with_issuer_and_audience(
    engine: AsyncEngine, tmp_path: Path, keys: Keys, data_key_b64: str
) -> None:
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(keys.jwks()))
    settings = Settings(
        data_dir=tmp_path,
        data_key=data_key_b64,
        jwks_file=jwks,
        jwt_issuer=ISSUER,
        jwt_audience=AUDIENCE,
    )
    good = claims(iss=ISSUER, aud=AUDIENCE)
    async with client(settings, engine) as http:
        for token in (keys.rs256(good), keys.es256(good)):
            body = await ask(http, bearer(token))
            assert body["data"]["viewer"]["role"] == "REGION", body
        rejected = {
            "expired": keys.rs256({**good, "exp": int(time.time()) - 60}),
            "wrong issuer": keys.rs256({**good, "iss": "https://evil.test"}),
            "wrong audience": keys.rs256({**good, "aud": "someone-else"}),
            "no audience": keys.rs256(claims(iss=ISSUER)),
            "unknown kid": keys.rs256(good, kid="nope"),
            "rs256 header on the ec key": keys.rs256(good, kid="ec-1"),
            "alg none": unsigned(good),
            # Algorithm confusion: HS256 keyed with the RSA public key the JWKS publishes.
            "hs256 with the public key": hs256_with_key(good, keys.public_pem()),
            # No HUB_JWT_SECRET set explicitly: with a JWKS configured, HS256 is off entirely.
            "hs256 without explicit secret": jwt.encode(good, settings.effective_jwt_secret),
        }
        for why, token in rejected.items():
            assert code(await ask(http, bearer(token))) == "UNAUTHENTICATED", why


async def test_hs256_development_tokens(
    engine: AsyncEngine, settings: Settings, keys: Keys
) -> None:
    async with client(settings, engine) as http:
        assert code(await ask(http, bearer(jwt.encode(claims(), SECRET)))) is None
        expired = jwt.encode(claims(exp=int(time.time()) - 60), SECRET)
        body = await ask(http, bearer(expired))
        assert code(body) == "UNAUTHENTICATED" and "expired" in body["errors"][0]["message"]
        for token in (
            unsigned(claims()),
            hs256_with_key(claims(), keys.public_pem()),
            jwt.encode(claims(), SECRET * 2, algorithm="HS512"),
            jwt.encode(claims(), "another-secret-of-at-least-thirty-two-bytes"),
            keys.rs256(claims()),  # no JWKS configured: asymmetric tokens have no key
            jwt.encode({k: v for k, v in claims().items() if k != "exp"}, SECRET),
        ):
            assert code(await ask(http, bearer(token))) == "UNAUTHENTICATED", token


async def test_jwks_url_served_on_loopback(
    engine: AsyncEngine, tmp_path: Path, keys: Keys, data_key_b64: str
) -> None:
    fetched: list[int] = []

    async def jwks(request: Any) -> JSONResponse:
        fetched.append(1)
        return JSONResponse(keys.jwks())

    with serve(Starlette(routes=[Route("/.well-known/jwks.json", jwks)])) as base_url:
        settings = Settings(
            data_dir=tmp_path, data_key=data_key_b64, jwks_url=f"{base_url}/.well-known/jwks.json"
        )
        async with client(settings, engine) as http:
            for _ in range(2):
                body = await ask(http, bearer(keys.es256(claims())))
                assert body["data"]["viewer"]["role"] == "REGION", body
            assert code(await ask(http, bearer(keys.es256(claims(), kid="x")))) == "UNAUTHENTICATED"
    assert len(fetched) >= 1


async def test_api_key_created_used_and_revoked(
    engine: AsyncEngine, settings: Settings, tmp_path: Path, token: Callable[..., str]
) -> None:
    async with client(settings, engine) as http:
        async with transaction(engine) as db:
            await ensure_platform(db, "wh", region_code="150300")
            await ensure_platform(db, "hh", region_code="150100")
        env = {
            "HUB_DATA_DIR": str(tmp_path / "cli"),
            "HUB_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        }
        created = hub("apikey", "create", "--platform", "wh", "--label", "wuhai sync", env=env)
        assert created.returncode == 0, created.stderr
        key = created.stdout.strip()
        assert key.startswith("hub_") and len(key) > 40
        async with transaction(engine) as db:
            with pytest.raises(UnknownPlatform):
                await create_api_key(db, "nope")

        for headers in ({"Authorization": f"ApiKey {key}"}, {"X-Api-Key": key}):
            body = await ask(http, headers)
            assert body["data"]["viewer"] == {
                "subject": f"apikey:{key[:12]}",
                "role": "CONNECTOR",
                "platform": "wh",
            }, body
            data = (
                await http.post(
                    "/graphql",
                    json={"query": "{ platforms { edges { node { code } } } }"},
                    headers=headers,
                )
            ).json()["data"]
            assert [e["node"]["code"] for e in data["platforms"]["edges"]] == ["wh"]
        assert code(await ask(http, {"X-Api-Key": key + "x"})) == "UNAUTHENTICATED"

        revoked = hub("apikey", "revoke", key[:12], env=env)
        assert revoked.returncode == 0, revoked.stderr
        for headers in ({"Authorization": f"ApiKey {key}"}, {"X-Api-Key": key}):
            assert code(await ask(http, headers)) == "UNAUTHENTICATED"
        async with transaction(engine) as db:
            assert await revoke_api_key(db, key) == 0  # already revoked
