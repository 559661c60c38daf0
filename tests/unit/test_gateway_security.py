"""The gateway's security pieces that need no broker: the permission table and its
start-up check, throttling arithmetic, idempotency rules, tokens on an in-memory
database, and phone masking."""
from datetime import datetime, timedelta, timezone

import pytest
from flask import Flask
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from gateway import audit, idempotency, permissions, permissions_page, throttle, tokens  # noqa: F401  (tables join the metadata)
from gateway.accounts import Base, hash_password, password_matches
from gateway.app import create_app
from gateway.idempotency import IdempotentRequest, decide, kept, valid_key
from gateway.throttle import after_failure, count_attempt
from gateway.tokens import TokenRefused, Tokens, check_session
from shared.config import component_config
from shared.contracts.messages import MESSAGES
from shared.contracts.roles import ROLES
from shared.views import mask_phone

NOW = datetime(2026, 11, 26, 1, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def app():
    return create_app({**component_config("gateway"), "DATABASE_URL": "sqlite://"})


# --- the permission table -------------------------------------------------------------
def test_the_table_names_only_known_roles_and_every_role_has_something_to_do():
    for action, roles in permissions.PERMISSIONS.items():
        assert roles <= set(ROLES), action
    for role in ROLES:
        assert any(role in roles for roles in permissions.PERMISSIONS.values()), role


def test_every_route_of_the_app_declares_a_known_action(app):
    for path, method, action, kind in permissions.route_actions(app):
        assert action is not None, (method, path)
        if kind == "role":
            assert action in permissions.PERMISSIONS
        elif kind == "public":
            assert action in permissions.PUBLIC_ACTIONS


def test_an_app_with_an_undeclared_route_refuses_to_start():
    app = Flask(__name__)

    @app.post("/api/v1/forgotten")
    def forgotten():
        return ""

    with pytest.raises(RuntimeError, match="POST /api/v1/forgotten"):
        permissions.check_routes(app)


def test_a_route_cannot_declare_an_action_the_table_does_not_list():
    with pytest.raises(ValueError, match="no:such"):
        permissions.public("no:such")(lambda: "")


def test_docs_permissions_md_is_current(app):
    assert permissions_page.DOC_PATH.read_text(encoding="utf-8") == permissions_page.render(app), (
        "docs/permissions.md is out of date: run python -m gateway.permissions_page")


def test_district_it_has_no_action_that_reads_personal_data():
    personal = {"reports:read", "tasks:read", "media:read", "points:review", "points:own", "staff:read",
                "figures:read", "categories:read"}
    assert not {a for a, roles in permissions.PERMISSIONS.items() if "district_it" in roles} & personal


def test_every_new_message_has_chinese_and_english():
    for code in ("token_expired", "token_revoked", "refresh_invalid", "refresh_reused", "account_locked",
                 "too_many_attempts", "idempotency_key_invalid", "idempotency_key_reused", "idempotency_in_flight",
                 "queue_not_found"):
        zh, en = MESSAGES[code]
        assert zh and en and zh != en


# --- passwords and tokens ---------------------------------------------------------------
def test_passwords_are_argon2id_and_an_unknown_account_never_matches():
    stored = hash_password("lanshan2026")
    assert stored.startswith("$argon2id$")
    assert password_matches("lanshan2026", stored)
    assert not password_matches("lanshan2027", stored)
    assert not password_matches("lanshan2026", None)
    assert not password_matches("lanshan2026", "scrypt$00$00")


@pytest.fixture
def db():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    return sessionmaker(bind=engine, expire_on_commit=False)


def test_a_refresh_token_rotates_and_a_reused_one_revokes_the_whole_sign_in(db):
    issuer = Tokens("secret", ttl_s=900, refresh_ttl_s=3600)
    with db() as session:
        first = issuer.open_session(session, "zhangyan", NOW)
        second = issuer.refresh(session, first.refresh_token, NOW + timedelta(minutes=20))
        assert second.refresh_token != first.refresh_token and second.session_id == first.session_id
        with pytest.raises(TokenRefused) as refused:
            issuer.refresh(session, first.refresh_token, NOW + timedelta(minutes=21))
        assert refused.value.code == "refresh_reused"
        with pytest.raises(TokenRefused, match="token_revoked"):
            check_session(session, second.session_id)
        with pytest.raises(TokenRefused, match="token_revoked"):  # the thief's new token is dead too
            issuer.refresh(session, second.refresh_token, NOW + timedelta(minutes=22))


def test_an_expired_refresh_token_is_refused(db):
    issuer = Tokens("secret", ttl_s=900, refresh_ttl_s=60)
    with db() as session:
        issued = issuer.open_session(session, "zhangyan", NOW)
        with pytest.raises(TokenRefused, match="refresh_invalid"):
            issuer.refresh(session, issued.refresh_token, NOW + timedelta(seconds=61))
        with pytest.raises(TokenRefused, match="refresh_invalid"):
            issuer.refresh(session, "made-up", NOW)


def test_access_tokens_say_whether_they_expired_or_are_forged():
    issuer = Tokens("secret", ttl_s=900)
    token = issuer.access_token("zhangyan", "s1")
    assert issuer.claims(token) == {"sub": "zhangyan", "sid": "s1"}
    with pytest.raises(TokenRefused, match="token_expired"):
        Tokens("secret", ttl_s=-1).claims(token)
    with pytest.raises(TokenRefused, match="unauthorized"):
        Tokens("another secret", ttl_s=900).claims(token)


# --- throttling -------------------------------------------------------------------------
def test_the_tenth_wrong_password_in_a_row_locks_for_the_lock_time():
    failures, locked = 0, None
    for _ in range(9):
        failures, locked = after_failure(failures, 10, NOW, 900)
        assert locked is None
    failures, locked = after_failure(failures, 10, NOW, 900)
    assert (failures, locked) == (0, NOW + timedelta(seconds=900))


def test_an_address_is_refused_past_its_limit_until_the_window_ends():
    count, started = 0, None
    for _ in range(3):
        count, started, until = count_attempt(count, started, NOW, 60, 3)
        assert until is None
    count, started, until = count_attempt(count, started, NOW + timedelta(seconds=5), 60, 3)
    assert until == NOW + timedelta(seconds=60)
    count, started, until = count_attempt(count, started, NOW + timedelta(seconds=60), 60, 3)
    assert (count, started, until) == (1, NOW + timedelta(seconds=60), None)


# --- idempotency ------------------------------------------------------------------------
def a_record(**changes) -> IdempotentRequest:
    fields = {"scope_hash": "s", "fingerprint": "f", "state": "done", "status": 201, "body": b"{}",
              "created_at": NOW, "expires_at": NOW + timedelta(hours=24)}
    return IdempotentRequest(**{**fields, **changes})


def test_a_key_seen_before_replays_refuses_or_runs_again():
    assert decide(None, "f", NOW).action == "run"
    assert decide(a_record(), "f", NOW).action == "replay"
    assert decide(a_record(expires_at=NOW), "f", NOW).action == "run"
    other_body = decide(a_record(), "g", NOW)
    assert (other_body.action, other_body.problem.status, other_body.problem.errors[0]["field"]) == (
        "refuse", 422, "Idempotency-Key")
    assert decide(a_record(state="in_flight"), "f", NOW).problem.status == 409
    assert decide(a_record(state="in_flight", expires_at=NOW), "f", NOW).action == "run"  # its worker died


def test_only_final_answers_are_kept_and_keys_are_visible_ascii():
    assert kept(201) and kept(422) and kept(404) and kept(409)
    assert not kept(401) and not kept(429) and not kept(500) and not kept(503)
    assert valid_key("3f1c-a9") and not valid_key("") and not valid_key("有") and not valid_key("a b")
    assert not valid_key("x" * 256)


# --- the audit log for district IT -------------------------------------------------------
def test_district_it_sees_networks_and_pseudonyms_not_addresses_and_accounts():
    assert audit.network_of("203.0.113.9") == "203.0.113.0/24"
    assert audit.network_of("2001:db8:1234:5678::1") == "2001:db8:1234::/48"
    assert audit.network_of(None) is None and audit.network_of("unix-socket") is None
    ref = audit.pseudonym("secret", "zhangyan")
    assert ref == audit.pseudonym("secret", "zhangyan") and "zhangyan" not in ref and len(ref) == 16
    assert ref != audit.pseudonym("another secret", "zhangyan") and audit.pseudonym("secret", None) is None


# --- phone numbers ----------------------------------------------------------------------
@pytest.mark.parametrize(("phone", "shown"), [
    ("13810001004", "138****1004"),
    ("138-1000-1004", "138****1004"),
    ("+86 138 1000 1004", "138****1004"),
    ("053988881234", "053*****1234"),
    ("12345", "***45"),
    ("", ""),
    (None, None),
])
def test_phone_numbers_are_masked_to_their_first_three_and_last_four_digits(phone, shown):
    assert mask_phone(phone) == shown
