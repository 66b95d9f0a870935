"""HTML (Jinja) to PDF (WeasyPrint). Pango shapes the Arabic names; charts are embedded SVG."""

from __future__ import annotations

import base64
from pathlib import Path

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..services.sitrep_content import RenderedSitrep, SitrepContent
from . import labels
from .charts import flows_chart, incidents_chart
from .highlights import highlights
from .labels import AUDIENCE_LABELS, is_arabic, period
from .maps import incident_map

_TEMPLATES = Path(__file__).resolve().parent / "templates" / "reports" / "pdf"


def area_name(area) -> str:
    """An area's name in the edition's language."""
    return area.name_ar if is_arabic() and area.name_ar else area.name_en


def sitrep_title(content: SitrepContent) -> str:
    return _(
        "%(area)s: Situation Report, %(period)s",
        area=area_name(content.area),
        period=period(content.period_start, content.period_end),
    )


def _svg_data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


_FOOTER_SCOPE = {
    "public": _l("PUBLIC edition: public data only"),
    "partner": _l("PARTNER edition: public and partner data"),
    "restricted": _l("RESTRICTED edition: includes restricted data"),
}
_AUDIENCE_COLOURS = {"public": "#1e6b34", "partner": "#8a4b08", "restricted": "#8b1a1a"}


def _css_string(text: str) -> str:
    """A CSS string literal: quotes, backslashes and line breaks escaped."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ")
    return f'"{escaped}"'


def page_css(content: SitrepContent) -> str:
    """Running headers and footers: the audience on every page, page numbers, generation time."""
    header = _(
        "%(area)s · Situation report · %(period)s",
        area=area_name(content.area),
        period=period(content.period_start, content.period_end),
    )
    generated = _(
        "Generated %(when)s UTC · %(scope)s",
        when=f"{content.generated_at:%Y-%m-%d %H:%M}",
        scope=_FOOTER_SCOPE[str(content.audience)],
    )
    # Right to left, the running header's ends swap: the area reads first, on the right.
    start, end = ("right", "left") if is_arabic() else ("left", "right")
    # Western digits, as Babel writes this locale's numbers in the text.
    pages = _("Page %(page)s of %(pages)s", page='" counter(page) "', pages='" counter(pages) "')
    small = "font-size: 7pt; color: #6b7785;"
    colour = _AUDIENCE_COLOURS[str(content.audience)]
    return f"""@page {{
  size: A4;
  margin: 20mm 15mm 18mm;
  @top-{start} {{ content: {_css_string(header)}; {small} }}
  @top-{end} {{ content: {_css_string(str(AUDIENCE_LABELS[str(content.audience)]))};
               font-size: 7.5pt; font-weight: bold; color: {colour}; }}
  @bottom-{start} {{ content: {_css_string(generated)}; {small} }}
  @bottom-{end} {{ content: "{pages}"; {small} }}
}}"""


def render_html(content: SitrepContent, sentences: list[str] | None = None) -> str:
    charts = {
        "incidents": _svg_data_uri(incidents_chart(content)) if content.incidents else None,
        "flows": _svg_data_uri(flows_chart(content)) if content.flows else None,
        "map": _svg_data_uri(incident_map(content)),
    }
    return render_template(
        "reports/pdf/sitrep.html",
        c=content,
        L=labels,
        area_names=content.area_names,
        area_name=area_name,
        arabic=is_arabic(),
        title=sitrep_title(content),
        highlights=highlights(content) if sentences is None else sentences,
        audience_label=AUDIENCE_LABELS[str(content.audience)],
        charts=charts,
        stylesheet=(_TEMPLATES / "sitrep.css").read_text(encoding="utf-8"),
        page_css=page_css(content),
    )


def render_pdf(content: SitrepContent) -> RenderedSitrep:
    """The PDF in the edition's language (every label, number and date in its locale)."""
    with force_locale(labels.LOCALES[str(content.language)]):
        return _render_pdf(content)


def _render_pdf(content: SitrepContent) -> RenderedSitrep:
    # Imported here: WeasyPrint loads Pango at import, which web processes need only when
    # they actually render.
    import weasyprint

    sentences = highlights(content)
    html = render_html(content, sentences)
    document = weasyprint.HTML(string=html, base_url=str(_TEMPLATES)).render()
    title = sitrep_title(content)
    pdf = document.write_pdf()
    return RenderedSitrep(
        pdf=pdf, page_count=len(document.pages), title=title, highlights=sentences
    )
