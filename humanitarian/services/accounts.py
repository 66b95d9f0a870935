"""Organizations, users and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import or_, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..models import ApiToken, Organization, Source, User, utcnow
from ..models.enums import Role, Scope, Sensitivity, SourceType
from .actors import Actor
from .audit import audit, record_event
from .errors import BusinessRuleError, NotAuthenticated, NotFound
from .signin import note_signin_failure, note_signin_success, signin_throttled

TOKEN_PREFIX = "hum_"


def hash_token(secret: str) -> str:
    # Tokens are 256-bit random values, so a fast hash is enough; no salt or KDF is needed.
    return hashlib.sha256(secret.encode()).hexdigest()


def ensure_organization(name: str, acronym: Optional[str] = None) -> Organization:
    org = db.session.scalars(select(Organization).where(Organization.name == name)).first()
    if org is None:
        org = Organization(name=name, acronym=acronym)
        db.session.add(org)
        db.session.flush()
    return org


def ensure_source(
    name: str, source_type: SourceType, reliability_note: Optional[str] = None
) -> Source:
    source = db.session.scalars(select(Source).where(Source.name == name)).first()
    if source is None:
        source = Source(name=name, source_type=source_type, reliability_note=reliability_note)
        db.session.add(source)
        db.session.flush()
    return source


def list_sources() -> list[Source]:
    return list(db.session.scalars(select(Source).order_by(Source.name)))


def create_user(
    actor: Actor,
    email: str,
    password: str,
    role: Role,
    org_name: str,
    *,
    name: str = "",
    max_sensitivity: Optional[Sensitivity] = None,
) -> User:
    """Create a staff account. Admins and verifiers default to a partner grant; restricted
    access is never implied and must be granted explicitly, and only by someone who has it:
    nobody grants more than their own access."""
    actor.require(Scope.admin)
    grant = Sensitivity(max_sensitivity or Sensitivity.partner)
    actor.require_grant(grant)
    email = email.strip().lower()
    if len(password) < 10:
        raise BusinessRuleError(
            "password too short", errors={"password": ["At least 10 characters."]}
        )
    if db.session.scalars(select(User).where(User.email == email)).first():
        raise BusinessRuleError("email taken", errors={"email": ["A user with this email exists."]})
    org = ensure_organization(org_name)
    user = User(
        email=email,
        name=name,
        password_hash=generate_password_hash(password),
        role=Role(role),
        max_sensitivity=grant,
        organization_id=org.id,
    )
    db.session.add(user)
    db.session.flush()
    audit(
        actor,
        "user.create",
        "user",
        user.id,
        details={"email": email, "role": str(role), "max_sensitivity": str(grant)},
        sensitivity=grant,
    )
    db.session.commit()
    return user


def authenticate(email: str, password: str, *, actor: Actor) -> User:
    """Check a password from ``actor.ip``. Repeated failures throttle that address (for the
    account, or for every account: ``services/signin.py``), never the account everywhere."""
    email = email.strip().lower()
    public = Sensitivity.public  # sign-in entries concern accounts, not records
    if signin_throttled(email, actor.ip):
        record_event(
            actor,
            "login.throttled",
            "user",
            None,
            details={"email": email[:320]},
            sensitivity=public,
        )
        raise NotAuthenticated("too many failed attempts from your address; try again later")
    user = db.session.scalars(select(User).where(User.email == email)).first()
    if user is None or not user.active or not check_password_hash(user.password_hash, password):
        note_signin_failure(email, actor.ip)
        record_event(
            actor,
            "login.failed",
            "user",
            user.id if user is not None else None,
            details={"email": email[:320]},
            sensitivity=public,
        )
        raise NotAuthenticated("wrong email or password")
    note_signin_success(email, actor.ip)
    record_event(
        Actor.for_user(user, request_id=actor.request_id, ip=actor.ip),
        "login",
        "user",
        user.id,
        sensitivity=public,
    )
    return user


def create_token(
    actor: Actor,
    org_name: str,
    scopes: list[Scope],
    max_sensitivity: Sensitivity = Sensitivity.public,
    *,
    name: str = "",
    expires_at: Optional[datetime] = None,
) -> tuple[ApiToken, str]:
    """Issue a token. The secret is returned once and only its hash is stored. Nobody issues a
    token reaching further than their own access."""
    actor.require(Scope.admin)
    actor.require_grant(max_sensitivity)
    if not scopes:
        raise BusinessRuleError("no scopes", errors={"scopes": ["Give at least one scope."]})
    org = ensure_organization(org_name)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        organization_id=org.id,
        name=name,
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        token_hash=hash_token(secret),
        scopes=",".join(sorted(Scope(s).value for s in scopes)),
        max_sensitivity=Sensitivity(max_sensitivity),
        created_by_id=actor.user_id,
        expires_at=expires_at,
    )
    db.session.add(token)
    db.session.flush()
    audit(
        actor,
        "token.create",
        "api_token",
        token.id,
        details={"scopes": token.scopes, "max_sensitivity": str(token.max_sensitivity)},
        sensitivity=token.max_sensitivity,
    )
    db.session.commit()
    return token, secret


def revoke_token(actor: Actor, token_id) -> ApiToken:
    actor.require(Scope.admin)
    token = db.session.get(ApiToken, token_id)
    if token is None or not actor.can_see(token.max_sensitivity):
        raise NotFound("no such token")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit(actor, "token.revoke", "api_token", token.id, sensitivity=token.max_sensitivity)
        db.session.commit()
    return token


def token_from_secret(secret: str) -> Optional[ApiToken]:
    """The live token for a presented secret, or None if unknown, revoked or expired.

    Revocation and expiry are tested in the query itself, on every request, so they take
    effect at once: a copy of the token already loaded in the session (with a stale
    ``revoked_at``) cannot let a revoked token through."""
    now = utcnow()
    return db.session.scalars(
        select(ApiToken).where(
            ApiToken.token_hash == hash_token(secret),
            ApiToken.revoked_at.is_(None),
            or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now),
        )
    ).first()


def record_token_use(
    actor: Actor, token: ApiToken, *, interval: timedelta, details: Optional[dict] = None
) -> bool:
    """Note that a token was used. ``last_used_at`` moves (and a 'token.use' audit row is
    written) at most once per ``interval`` per token, so heavy read traffic costs one
    conditional UPDATE rather than an audit row per request. Writes and exports have audit
    rows of their own. Returns True when this call recorded the use."""
    now = utcnow()
    result = db.session.execute(
        update(ApiToken)
        .where(ApiToken.id == token.id)
        .where(or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < now - interval))
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:
        return False
    audit(
        actor,
        "token.use",
        "api_token",
        token.id,
        details=details,
        sensitivity=token.max_sensitivity,
    )
    db.session.commit()
    return True
