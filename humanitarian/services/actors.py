"""Who is acting: a staff user, a partner token, an anonymous reader or the system itself."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Optional

from ..models.enums import ROLE_SCOPES, Channel, Role, Scope, Sensitivity
from .errors import NotAuthenticated, PermissionDenied


@dataclass(frozen=True)
class Actor:
    channel: Channel
    scopes: frozenset[Scope] = frozenset()
    max_sensitivity: Sensitivity = Sensitivity.public
    user_id: Optional[int] = None
    token_id: Optional[uuid.UUID] = None
    organization_id: Optional[int] = None
    request_id: Optional[str] = None
    ip: Optional[str] = None
    authenticated: bool = True
    label: str = field(default="anonymous", compare=False)

    @classmethod
    def anonymous(cls, channel: Channel = Channel.api, **kw) -> Actor:
        return cls(channel=channel, scopes=frozenset({Scope.read}), authenticated=False, **kw)

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        return cls(
            channel=Channel.system,
            scopes=frozenset(Scope),
            max_sensitivity=Sensitivity.restricted,
            label=label,
        )

    @classmethod
    def for_user(cls, user, channel: Channel = Channel.web, **kw) -> Actor:
        return cls(
            channel=channel,
            scopes=ROLE_SCOPES[Role(user.role)],
            max_sensitivity=Sensitivity(user.max_sensitivity),
            user_id=user.id,
            organization_id=user.organization_id,
            label=user.email,
            **kw,
        )

    @classmethod
    def for_token(cls, token, **kw) -> Actor:
        return cls(
            channel=Channel.api,
            scopes=frozenset(Scope(s) for s in token.scope_set),
            max_sensitivity=Sensitivity(token.max_sensitivity),
            token_id=token.id,
            organization_id=token.organization_id,
            label=f"token {token.prefix}",
            **kw,
        )

    @property
    def is_anonymous(self) -> bool:
        return not self.authenticated

    def can_see(self, sensitivity: Sensitivity | str) -> bool:
        return self.max_sensitivity.allows(Sensitivity(sensitivity))

    def require(self, scope: Scope) -> None:
        if scope in self.scopes:
            return
        if self.is_anonymous:
            raise NotAuthenticated(f"this action needs a token with the '{scope}' scope")
        raise PermissionDenied(f"this action needs the '{scope}' scope")

    def require_grant(self, sensitivity: Sensitivity | str) -> None:
        """Writers may not create records they themselves could not read."""
        if not self.can_see(sensitivity):
            raise PermissionDenied(
                f"your access is limited to '{self.max_sensitivity}' records; "
                f"cannot write a '{sensitivity}' record"
            )
