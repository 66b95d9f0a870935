"""Vector charts for sitreps, drawn with matplotlib and returned as SVG text.

matplotlib's object API (``Figure``) is used rather than pyplot: no global figure state, so
charts can be drawn from the scheduler's worker threads.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import matplotlib
from flask_babel import gettext as _
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from .labels import EVENT_TYPE_LABELS, TARGET_LABELS, drawn, humanize, is_arabic, number

if TYPE_CHECKING:
    from ..services.sitrep_content import SitrepContent

# Text stays text in the SVG (WeasyPrint draws it with the page's fonts, and it can be
# searched and copied in the PDF); a fixed hash salt keeps element ids stable between runs.
SVG_RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "humanitarian-sitrep",
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
INK = "#1f2d3d"
ACCENT = "#0a6aa1"
MOVEMENT_COLOURS = {
    "displacement": "#c0392b",
    "secondary_displacement": "#e67e22",
    "evacuation": "#8e44ad",
    "relocation": "#7f8c8d",
    "return": "#27ae60",
}
EVENT_COLOURS = {
    "battles": "#c0392b",
    "explosions_remote_violence": "#e67e22",
    "violence_against_civilians": "#8e44ad",
    "strategic_developments": "#2c3e50",
    "protests": "#16a085",
    "riots": "#7f8c8d",
}


def to_svg(fig: Figure) -> str:
    buffer = io.StringIO()
    with matplotlib.rc_context(SVG_RC):
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return buffer.getvalue()


def _bars(ax, counts: dict[str, int], labels: dict[str, str], title: str, colour: str) -> None:
    items = sorted(counts.items(), key=lambda kv: kv[1])
    names = [drawn(labels.get(k, humanize(k))) for k, _count in items]
    values = [v for _key, v in items]
    bars = ax.barh(names, values, color=colour, height=0.6)
    ax.bar_label(bars, labels=[number(v) for v in values], padding=2, fontsize=7, color=INK)
    ax.set_title(
        drawn(title),
        loc="right" if is_arabic() else "left",
        fontsize=9,
        color=INK,
        fontweight="bold",
    )
    ax.xaxis.set_visible(False)
    ax.spines["bottom"].set_visible(False)
    ax.tick_params(axis="y", length=0, labelsize=7.5, colors=INK)
    ax.set_xlim(0, max(values) * 1.2 if values else 1)


def incidents_chart(content: SitrepContent) -> str:
    """Incidents by event type and by target, side by side."""
    with matplotlib.rc_context(SVG_RC):
        rows = max(
            len(content.summary.incidents_by_event_type),
            len(content.summary.incidents_by_target_type),
            1,
        )
        fig = Figure(figsize=(7.0, 0.5 + 0.27 * rows))
        left, right = fig.subplots(1, 2, gridspec_kw={"wspace": 0.9})
        _bars(
            left,
            content.summary.incidents_by_event_type,
            EVENT_TYPE_LABELS,
            _("Incidents by type"),
            ACCENT,
        )
        _bars(
            right,
            content.summary.incidents_by_target_type,
            TARGET_LABELS,
            _("Incidents by target"),
            "#d35400",
        )
        return to_svg(fig)


def _place(area) -> str:
    if area is None:
        return _("Unknown")
    return area.name_ar if is_arabic() and area.name_ar else area.name_en


def flows_chart(content: SitrepContent) -> str:
    """Individuals per flow, origin → destination, coloured by movement type."""
    flows = [f for f in content.flows if f.individuals][:12]
    with matplotlib.rc_context(SVG_RC):
        fig = Figure(figsize=(7.0, 0.45 + 0.32 * max(len(flows), 1)))
        ax = fig.subplots()
        names = [drawn(f"{_place(f.origin)} → {_place(f.destination)}") for f in flows][::-1]
        values = [f.individuals for f in flows][::-1]
        colours = [MOVEMENT_COLOURS.get(f.movement_type, ACCENT) for f in flows][::-1]
        bars = ax.barh(names, values, color=colours, height=0.6)
        ax.bar_label(bars, labels=[number(v) for v in values], padding=2, fontsize=7, color=INK)
        ax.xaxis.set_visible(False)
        ax.spines["bottom"].set_visible(False)
        ax.tick_params(axis="y", length=0, labelsize=7.5, colors=INK)
        ax.set_xlim(0, max(values) * 1.18 if values else 1)
        seen = dict.fromkeys(f.movement_type for f in flows)
        handles = [
            Patch(color=MOVEMENT_COLOURS.get(t, ACCENT), label=drawn(humanize(t))) for t in seen
        ]
        if handles:
            ax.legend(handles=handles, loc="lower right", fontsize=7, frameon=False)
        return to_svg(fig)
