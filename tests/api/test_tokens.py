"""JWT bearer tokens from an external issuer: HS256, RS256 with a PEM key or a JWKS (file and
URL), claims mapped to role and tenant, and every refusal with its own code."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.support.api import app_client, expect_error
from tests.support.receiver import Answer, Receiver
from tests.support.stack import Stack, status_event

SECRET = "a-shared-secret-of-at-least-32-bytes!"
ISSUER = "https://issuer.example/"
AUDIENCE = "goutong-api"
HS256 = {
    "jwt_algorithm": "HS256",
    "jwt_secret": SECRET,
    "jwt_issuer": ISSUER,
    "jwt_audience": AUDIENCE,
    "jwt_leeway_seconds": 30,
}


def _claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": "client-42@clients",
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 300,
        "role": "viewer",
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _hs(**overrides: Any) -> str:
    return jwt.encode(_claims(**overrides), SECRET, algorithm="HS256")


def _rsa() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def _jwks(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    return {"keys": [{**jwk, "kid": kid, "use": "sig", "alg": "RS256"}]}


async def test_a_valid_token_acts_with_its_role_and_tenant(stack: Stack) -> None:
    tenant = await stack.tenant("jwt-tenant")
    other = await stack.tenant("other")
    token = _hs(role="tenant_admin", tenant_id=tenant["id"])
    async with app_client(stack, token, **HS256) as api:
        listed = (await api.get("/v1/tenants")).json()["data"]
        assert [t["id"] for t in listed] == [tenant["id"]]
        response = await api.patch(f"/v1/tenants/{tenant['id']}", json={"name": "renamed"})
        assert response.status_code == 200, response.text
        expect_error(await api.get(f"/v1/tenants/{other['id']}"), 403, "tenant_scope_violation")
        expect_error(await api.post("/v1/events", json={}), 403, "role_required")
    [entry] = (await stack.api.get("/v1/audit", params={"action": "tenant.update"})).json()["data"]
    assert (entry["actor"], entry["actor_kind"], entry["role"]) == (
        "client-42@clients",
        "jwt",
        "tenant_admin",
    )
    async with app_client(stack, None, **HS256) as api:  # API keys still work beside JWTs
        response = await api.get(
            "/v1/tenants", headers={"X-API-Key": stack.settings.admin_api_key or ""}
        )
        assert response.status_code == 200


async def test_a_global_token_and_a_scope_style_role_claim(stack: Stack) -> None:
    tenant = await stack.tenant()
    settings = {**HS256, "jwt_role_claim": "scope", "jwt_role_prefix": "goutong:"}
    token = _hs(role=None, scope="openid goutong:producer profile")
    async with app_client(stack, token, **settings) as api:
        response = await api.post("/v1/events", json=status_event(tenant_id=tenant["id"]))
        assert response.status_code == 202, response.text
    nested = {**HS256, "jwt_role_claim": "realm_access.roles", "jwt_tenant_claim": "org.tenant"}
    token = _hs(
        role=None, realm_access={"roles": ["viewer", "offline"]}, org={"tenant": tenant["id"]}
    )
    async with app_client(stack, token, **nested) as api:
        assert (await api.get("/v1/endpoints")).status_code == 200


# "exp" and "nbf" as numbers are seconds from when the test runs (collection may be long before)
REFUSALS: list[tuple[str, dict[str, Any], int, str]] = [
    ("expired", {"exp": -120}, 401, "token_expired"),
    ("not yet valid", {"nbf": 600}, 401, "token_not_yet_valid"),
    ("wrong audience", {"aud": "someone-else"}, 401, "wrong_audience"),
    ("no audience", {"aud": None}, 401, "missing_claim"),
    ("wrong issuer", {"iss": "https://evil.example/"}, 401, "wrong_issuer"),
    ("no subject", {"sub": None}, 401, "missing_claim"),
    ("no expiry", {"exp": None}, 401, "missing_claim"),
    ("no role", {"role": None}, 401, "missing_claim"),
    ("unknown role", {"role": "root"}, 403, "unknown_role"),
    ("two roles", {"role": ["viewer", "operator"]}, 403, "ambiguous_role"),
    (
        "admin bound to a tenant",
        {"role": "admin", "tenant_id": "tnt_x"},
        403,
        "invalid_token_scope",
    ),
    ("tenant_admin without tenant", {"role": "tenant_admin"}, 401, "missing_claim"),
]


@pytest.mark.parametrize(
    ("why", "claims", "status", "code"), REFUSALS, ids=[r[0] for r in REFUSALS]
)
async def test_each_refusal_has_its_code(
    stack: Stack, why: str, claims: dict[str, Any], status: int, code: str
) -> None:
    now = int(time.time())
    timed = {k: now + v for k, v in claims.items() if k in ("exp", "nbf") and v is not None}
    async with app_client(stack, _hs(**(claims | timed)), **HS256) as api:
        expect_error(await api.get("/v1/tenants"), status, code)


async def test_signature_algorithm_and_shape_refusals(stack: Stack) -> None:
    wrong_secret = jwt.encode(_claims(), "another-secret-of-at-least-32-bytes!!", algorithm="HS256")
    unsigned = jwt.encode(_claims(), "", algorithm="none")
    rs = jwt.encode(_claims(), _rsa(), algorithm="RS256")
    within_leeway = _hs(exp=int(time.time()) - 10)
    cases = [
        (wrong_secret, 401, "bad_signature"),
        (unsigned, 401, "wrong_algorithm"),
        (rs, 401, "wrong_algorithm"),
        ("eyJhbGciOi.e30.c2ln", 401, "malformed_token"),
        ("eyJub3QiOiJhbiBhbGcifQ.e30.", 401, "wrong_algorithm"),
    ]
    async with app_client(stack, None, **HS256) as api:
        for token, status, code in cases:
            headers = {"Authorization": f"Bearer {token}"}
            expect_error(await api.get("/v1/tenants", headers=headers), status, code)
        headers = {"Authorization": f"Bearer {within_leeway}"}
        assert (await api.get("/v1/tenants", headers=headers)).status_code == 200
    async with stack.with_key(_hs()) as api:  # no JWT configured on this API
        expect_error(await api.get("/v1/tenants"), 401, "jwt_not_enabled")


async def test_rs256_with_a_pem_public_key(stack: Stack) -> None:
    key, stranger = _rsa(), _rsa()
    settings = {**HS256, "jwt_algorithm": "RS256", "jwt_secret": None, "jwt_public_key": _pem(key)}
    good = jwt.encode(_claims(role="operator"), key, algorithm="RS256")
    forged = jwt.encode(_claims(role="operator"), stranger, algorithm="RS256")
    hs_with_the_public_key = jwt.encode(_claims(), SECRET, algorithm="HS256")
    async with app_client(stack, None, **settings) as api:
        ok = await api.get("/v1/callbacks", headers={"Authorization": f"Bearer {good}"})
        assert ok.status_code == 200, ok.text
        bad = await api.get("/v1/callbacks", headers={"Authorization": f"Bearer {forged}"})
        expect_error(bad, 401, "bad_signature")
        confused = {"Authorization": f"Bearer {hs_with_the_public_key}"}
        expect_error(await api.get("/v1/callbacks", headers=confused), 401, "wrong_algorithm")


async def test_rs256_with_a_jwks_file(stack: Stack, tmp_path: Path) -> None:
    key = _rsa()
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(_jwks(key, "k1")))
    settings = {**HS256, "jwt_algorithm": "RS256", "jwt_secret": None, "jwt_jwks": str(path)}
    good = jwt.encode(_claims(), key, algorithm="RS256", headers={"kid": "k1"})
    unknown = jwt.encode(_claims(), key, algorithm="RS256", headers={"kid": "k2"})
    async with app_client(stack, None, **settings) as api:
        assert (
            await api.get("/v1/tenants", headers={"Authorization": f"Bearer {good}"})
        ).status_code == 200
        response = await api.get("/v1/tenants", headers={"Authorization": f"Bearer {unknown}"})
        expect_error(response, 401, "unknown_key_id")


async def test_rs256_with_a_jwks_url_and_key_rotation(stack: Stack, receiver: Receiver) -> None:
    old, new = _rsa(), _rsa()
    receiver.default = Answer(body=json.dumps(_jwks(old, "old")).encode())
    settings = {**HS256, "jwt_algorithm": "RS256", "jwt_secret": None, "jwt_jwks": receiver.url}
    first = jwt.encode(_claims(), old, algorithm="RS256", headers={"kid": "old"})
    rotated = jwt.encode(_claims(), new, algorithm="RS256", headers={"kid": "new"})
    async with app_client(stack, None, **settings) as api:
        for _ in range(3):
            response = await api.get("/v1/tenants", headers={"Authorization": f"Bearer {first}"})
            assert response.status_code == 200, response.text
        assert len(receiver.requests) == 1  # cached
        response = await api.get("/v1/tenants", headers={"Authorization": f"Bearer {rotated}"})
        expect_error(response, 401, "unknown_key_id")  # re-read at most every 30 s
        assert len(receiver.requests) == 1
    both = {"keys": _jwks(old, "old")["keys"] + _jwks(new, "new")["keys"]}
    receiver.default = Answer(body=json.dumps(both).encode())
    async with app_client(stack, None, **settings, jwt_jwks_cache_seconds=0) as api:
        for token in (first, rotated):
            response = await api.get("/v1/tenants", headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 200, response.text
    receiver.default = Answer(status=500)
    async with app_client(stack, None, **settings) as api:
        response = await api.get("/v1/tenants", headers={"Authorization": f"Bearer {first}"})
        expect_error(response, 503, "jwks_unavailable")
