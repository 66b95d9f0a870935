"""Helpers for API tests: tokens with chosen scopes and grants, and seeded records."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

from humanitarian.extensions import db
from humanitarian.models.enums import Scope, Sensitivity, SourceType
from humanitarian.services import Actor, create_token, ensure_source
from tests import factories as f


@dataclass
class Token:
    id: uuid.UUID
    secret: str

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.secret}"}


@pytest.fixture
def make_token(app):
    """make_token("read,append", "partner") -> a Token with .headers for requests."""

    def make(scopes: str = "read,append", grant: str = "partner", org: str = "Partner NGO"):
        token, secret = create_token(
            Actor.system("test"), org, [Scope(s) for s in scopes.split(",")], Sensitivity(grant)
        )
        return Token(token.id, secret)

    return make


@pytest.fixture
def writer(make_token) -> dict:
    """Headers of a partner system allowed to read and append up to 'partner'."""
    return make_token("read,append", "partner").headers


@pytest.fixture
def source(app):
    src = ensure_source("Syrian Civil Defence", SourceType.ngo)
    db.session.commit()
    return src


@pytest.fixture
def system():
    return f.actor(Sensitivity.restricted, scopes=("read", "append", "verify"))


INCIDENT = {
    "title": "Air strike on a petrol station",
    "occurred_on": "2024-12-02",
    "event_type": "explosions_remote_violence",
    "sub_event_type": "air_drone_strike",
    "target_type": "fuel_station",
    "admin_pcode": "SY0700",
    "latitude": 35.93,
    "longitude": 36.63,
    "geo_precision": 1,
    "killed": 4,
    "injured": 9,
    "actor1": "Government air force",
}

MOVEMENT = {
    "movement_type": "displacement",
    "origin_pcode": "SY0200",
    "destination_pcode": "SY0703",
    "period_start": "2024-11-29",
    "period_end": "2024-12-03",
    "individuals": 12000,
    "estimate_method": "key_informant",
}


@pytest.fixture(autouse=True)
def _fresh_rate_limits(app):
    # The limiter's memory storage lives as long as the app; every test starts with none used.
    from humanitarian.extensions import limiter

    limiter.reset()
