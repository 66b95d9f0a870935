"""The Arabic edition: the same sitrep in Arabic, right to left, with Babel's numbers and dates
for Syria and the gazetteer's Arabic names; its PDF parsed back to text."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime

from flask_babel import force_locale
from sqlalchemy import func, select

from humanitarian.extensions import db
from humanitarian.models import Sitrep
from humanitarian.reports.labels import drawn, number, period
from humanitarian.reports.maps import incident_map
from humanitarian.reports.render import render_html
from humanitarian.services import Actor, generate_sitrep, get_area, sitrep_pdf_path
from humanitarian.services.sitrep_content import build_content

from .conftest import PERIOD, pdf_text

SYSTEM = Actor.system("test")


def _plain(text: str) -> str:
    """Presentation forms (as some PDF fonts map them) back to ordinary Arabic letters."""
    return unicodedata.normalize("NFKC", text)


def test_the_arabic_edition_is_arabic_throughout(demo):
    sitrep = generate_sitrep(SYSTEM, "SY07", *PERIOD, "public", language="ar")
    text = _plain(pdf_text(sitrep_pdf_path(SYSTEM, sitrep.id)))
    idleb = get_area("SY07").name_ar
    with force_locale("ar_SY"):
        dates = period(*PERIOD)
    assert dates == "27 تشرين الثاني – 4 كانون الأول 2024"  # Levantine month names
    assert sitrep.title == f"{idleb}: تقرير الوضع، {dates}"
    for heading in ("أبرز المستجدات", "الأرقام الرئيسية", "حالة البنية التحتية", "حركات السكان"):
        assert heading in text, heading
    assert "خريطة الحوادث" in text and "المنهجية والمصادر" in text
    # pypdf gives mixed Arabic and digit runs in visual order: check the words, not the line.
    for words in ("فترة التقرير", "تشرين الثاني", "كانون الأول", "صفحة", "مقارنةً بالفترة السابقة"):
        assert words in text, words
    # No English furniture left: headings, labels and highlights are all translated.
    for english in (
        "Key figures",
        "Highlights",
        "Population movements",
        "Page 1 of",
        "incidents recorded",
    ):
        assert english not in text, english
    highlights = sitrep.highlights.splitlines()
    assert highlights[0].startswith(f"سُجّلت 6 حوادث في {idleb}")
    assert "طالت الضربات والهجمات" in sitrep.highlights
    assert "12٬000" in sitrep.highlights  # Babel's number format for ar_SY


def test_the_layout_runs_right_to_left(demo, app):
    content = build_content("SY07", *PERIOD, "public", datetime.now(UTC), "ar")
    with app.test_request_context(), force_locale("ar_SY"):
        html = render_html(content)
        svg = incident_map(content)
        assert number(1234567) == "1٬234٬567"
    assert '<html lang="ar" dir="rtl">' in html
    assert "@top-right" in html and "تقرير الوضع" in html  # the header starts on the right
    # Map labels are shaped and in display order for the SVG renderer.
    with app.test_request_context(), force_locale("ar_SY"):
        shaped = drawn(get_area("SY0700").name_ar)
    assert shaped in svg and shaped != get_area("SY0700").name_ar


def test_editions_in_each_language_are_kept_apart(demo, client):
    english = generate_sitrep(SYSTEM, "SY07", *PERIOD, "public")
    arabic = generate_sitrep(SYSTEM, "SY07", *PERIOD, "public", language="ar")
    assert english.id != arabic.id and (english.language, arabic.language) == ("en", "ar")
    assert generate_sitrep(SYSTEM, "SY07", *PERIOD, "public", language="ar").id == arabic.id
    assert db.session.scalar(select(func.count()).select_from(Sitrep)) == 2
    assert "Key figures" in pdf_text(sitrep_pdf_path(SYSTEM, english.id))
    listed = client.get("/api/v1/sitreps?language=ar").get_json()["items"]
    assert [(s["id"], s["language"]) for s in listed] == [(str(arabic.id), "ar")]
