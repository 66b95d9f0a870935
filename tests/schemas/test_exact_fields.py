"""Fields whose OpenAPI pattern is the server's own check: a text the document's pattern
rules out is refused, and one it allows is accepted (the parsers behind marshmallow alone
take more: ``20241201``, ``2024-W01-1``, UUIDs without hyphens, exponents in a bbox)."""

from __future__ import annotations

import re

import pytest
from marshmallow import ValidationError

from schemas.audit import AccountField
from schemas.fields import UUID, Day, Time, UTCDateTime, cursor
from schemas.queries import BBOX_PATTERN, BBoxField, Limit

CASES = {
    Day: (
        ["2024-12-01", "2024-02-29", "2000-02-29", "1900-01-01", "2100-12-31"],
        [
            "20241201",
            "2024-W01-1",
            "2023-02-29",
            "1900-02-29",
            "2024-04-31",
            "2101-01-01",
            " 2024-12-01",
        ],
    ),
    UTCDateTime: (
        ["2024-12-01T08:00", "2024-12-01T08:00:00Z", "2024-12-01T08:00:00.5+03:00"],
        [
            "2024-12-01",
            "2024-12-01 08:00",
            "20241201T080000",
            "2024-12-01T24:00",
            "2024-12-01t08:00z",
        ],
    ),
    Time: (["08:00", "23:59:59", "08:00:00.123"], ["8:00", "08:00+02:00", "24:00", "0800"]),
    UUID: (
        ["e3e70682-c209-1cac-a29f-6fbed82c07cd"],
        ["e3e70682c2091caca29f6fbed82c07cd", "{e3e70682-c209-1cac-a29f-6fbed82c07cd}"],
    ),
}


@pytest.mark.parametrize("field_cls", list(CASES), ids=lambda c: c.__name__)
def test_pattern_and_parser_agree(field_cls):
    field = field_cls()
    pattern = re.compile(field.metadata["pattern"])
    accepted, refused = CASES[field_cls]
    for text in accepted:
        assert pattern.search(text), text
        field.deserialize(text)
    for text in refused:
        assert not pattern.search(text), text
        with pytest.raises(ValidationError):
            field.deserialize(text)


def test_bbox_cursor_limit_and_actor_refuse_what_the_document_rules_out():
    bbox = BBoxField()
    assert bbox.deserialize("36.0,35.5,37.5,36.7").max_lat == 36.7
    for text in ("1e1,0,2,1", "inf,0,1,1", " 36,35,37,36", "181,0,182,1", "36,35,37"):
        assert not re.search(BBOX_PATTERN, text)
        with pytest.raises(ValidationError):
            bbox.deserialize(text)
    with pytest.raises(ValidationError):
        cursor().deserialize("has space")
    for text in ("+5", " 5", "5_0", "0"):
        with pytest.raises(ValidationError):
            Limit().deserialize(text)
    assert AccountField().deserialize("12") == ("user", 12)
    for text in ("012", " 12", "e3e70682c2091caca29f6fbed82c07cd"):
        with pytest.raises(ValidationError):
            AccountField().deserialize(text)
