"""HTML (Jinja) to PDF (WeasyPrint). Pango shapes the Arabic names; charts are embedded SVG."""

from __future__ import annotations

import base64
from pathlib import Path

from flask import render_template

from ..services.sitrep_content import RenderedSitrep, SitrepContent
from . import labels
from .charts import flows_chart, incidents_chart
from .highlights import highlights
from .labels import AUDIENCE_LABELS, period
from .maps import incident_map

_TEMPLATES = Path(__file__).resolve().parent / "templates" / "reports" / "pdf"


def sitrep_title(content: SitrepContent) -> str:
    return f"{content.area.name_en}: Situation Report, {period(content.period_start, content.period_end)}"


def _svg_data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


_FOOTER_SCOPE = {
    "public": "PUBLIC edition: public data only",
    "partner": "PARTNER edition: public and partner data",
    "restricted": "RESTRICTED edition: includes restricted data",
}
_AUDIENCE_COLOURS = {"public": "#1e6b34", "partner": "#8a4b08", "restricted": "#8b1a1a"}


def _css_string(text: str) -> str:
    """A CSS string literal: quotes, backslashes and line breaks escaped."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ")
    return f'"{escaped}"'


def page_css(content: SitrepContent) -> str:
    """Running headers and footers: the audience on every page, page numbers, generation time."""
    header = f"{content.area.name_en} · Situation report · {period(content.period_start, content.period_end)}"
    generated = (
        f"Generated {content.generated_at:%Y-%m-%d %H:%M} UTC · "
        f"{_FOOTER_SCOPE[str(content.audience)]}"
    )
    small = "font-size: 7pt; color: #6b7785;"
    colour = _AUDIENCE_COLOURS[str(content.audience)]
    return f"""@page {{
  size: A4;
  margin: 20mm 15mm 18mm;
  @top-left {{ content: {_css_string(header)}; {small} }}
  @top-right {{ content: {_css_string(AUDIENCE_LABELS[str(content.audience)])};
               font-size: 7.5pt; font-weight: bold; color: {colour}; }}
  @bottom-left {{ content: {_css_string(generated)}; {small} }}
  @bottom-right {{ content: "Page " counter(page) " of " counter(pages); {small} }}
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
        title=sitrep_title(content),
        highlights=highlights(content) if sentences is None else sentences,
        audience_label=AUDIENCE_LABELS[str(content.audience)],
        charts=charts,
        stylesheet=(_TEMPLATES / "sitrep.css").read_text(encoding="utf-8"),
        page_css=page_css(content),
    )


def render_pdf(content: SitrepContent) -> RenderedSitrep:
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
