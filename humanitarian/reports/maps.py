"""The incident map: incident points over admin-area centroids, drawn offline as SVG.

There is no boundary data or tile server; places are shown by their centroids and names,
with a scale bar, which is what a reader needs to place the incidents.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import TYPE_CHECKING

import matplotlib
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.transforms import offset_copy

from .charts import EVENT_COLOURS, INK, SVG_RC, to_svg
from .labels import EVENT_TYPE_LABELS

if TYPE_CHECKING:
    from ..services.sitrep_content import SitrepContent

_PAD_DEGREES = 0.12


FIGURE_SIZE = (7.0, 4.6)  # the text width; the map is never rescaled, so text keeps its size


def _inside(content: SitrepContent, area) -> bool:
    own = content.area
    return area.pcode == own.pcode or area.path.startswith(own.path + "/")


def _extent(content: SitrepContent) -> tuple[float, float, float, float]:
    """West, east, south, north around the area's own places and its incidents, widened to
    the figure's proportions so the map fills the width."""
    own = [a for a in content.map_areas if _inside(content, a)]
    lats = [a.centroid_lat for a in own] + [p.lat for p in content.map_points]
    lons = [a.centroid_lon for a in own] + [p.lon for p in content.map_points]
    if not lats:
        lats, lons = [content.area.centroid_lat or 0.0], [content.area.centroid_lon or 0.0]
    pad = max(_PAD_DEGREES, (max(lats) - min(lats)) * 0.15, (max(lons) - min(lons)) * 0.1)
    west, east, south, north = min(lons) - pad, max(lons) + pad, min(lats) - pad, max(lats) + pad
    stretch = 1 / math.cos(math.radians((south + north) / 2))
    target = (FIGURE_SIZE[0] * 0.9) / (FIGURE_SIZE[1] * 0.85)  # the axes, not the whole figure
    width, height = east - west, (north - south) * stretch
    if width / height < target:
        grow = (height * target - width) / 2
        west, east = west - grow, east + grow
    else:
        grow = (width / target - height) / 2 / stretch
        south, north = south - grow, north + grow
    return west, east, south, north


def _scale_bar(ax, west: float, east: float, south: float, north: float) -> None:
    """A round-number kilometre bar in the lower-right corner."""
    mid_lat = (south + north) / 2
    km_per_degree = 111.32 * math.cos(math.radians(mid_lat))
    span_km = (east - west) * km_per_degree
    length = next((n for n in (100, 50, 25, 20, 10, 5, 2, 1) if n <= span_km / 4), 1)
    x1, y0 = east - (east - west) * 0.04, south + (north - south) * 0.05
    x0 = x1 - length / km_per_degree
    ax.plot([x0, x1], [y0, y0], color=INK, linewidth=2, solid_capstyle="butt")
    ax.text((x0 + x1) / 2, y0 + (north - south) * 0.015, f"{length} km", ha="center", fontsize=7)


def _draw_places(ax, content: SitrepContent, extent) -> None:
    west, east, south, north = extent
    for area in content.map_areas:
        if not (west <= area.centroid_lon <= east and south <= area.centroid_lat <= north):
            continue
        if area.pcode == content.area.pcode and len(content.map_areas) > 1:
            continue  # the area itself is the map's subject; its districts are labelled
        inside = _inside(content, area)
        ax.plot(
            area.centroid_lon,
            area.centroid_lat,
            marker="s" if area.level == 1 else "o",
            markersize=4 if inside else 3,
            color="#55606e" if inside else "#aab2bd",
            zorder=2,
            gid=f"area-{area.pcode}",  # the SVG names what each mark stands for
        )
        ax.annotate(
            area.name_en,
            (area.centroid_lon, area.centroid_lat),
            xytext=(4, -9),
            textcoords="offset points",
            fontsize=7.5 if inside else 6.5,
            color=INK if inside else "#8a94a3",
            fontweight="bold" if area.level == 1 and inside else "normal",
            zorder=4,
        )


def _draw_incidents(ax, content: SitrepContent) -> None:
    """Circles sized by casualties, numbered when they stand for several incidents; event
    types sharing a place are set around it in a small ring so none hides another."""
    at_place = defaultdict(list)
    for point in content.map_points:
        at_place[(point.lat, point.lon)].append(point)
    for points in at_place.values():
        for n, point in enumerate(points):
            angle = 2 * math.pi * n / len(points)
            radius = 0 if len(points) == 1 else 9
            where = offset_copy(
                ax.transData,
                fig=ax.figure,
                x=radius * math.cos(angle),
                y=radius * math.sin(angle),
                units="points",
            )
            ax.scatter(
                point.lon,
                point.lat,
                s=40 + min(point.casualties, 150) * 2.5,
                color=EVENT_COLOURS.get(point.event_type, "#34495e"),
                alpha=0.75,
                edgecolors="white",
                linewidths=0.8,
                zorder=3,
                transform=where,
                gid=f"incidents-{point.event_type}",
            )
            if point.count > 1:
                ax.text(
                    point.lon,
                    point.lat,
                    str(point.count),
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white",
                    fontweight="bold",
                    zorder=5,
                    transform=where,
                )


def _legend(ax, content: SitrepContent) -> None:
    present = dict.fromkeys(p.event_type for p in content.map_points)
    handles = [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markersize=6,
            color=EVENT_COLOURS.get(t, "#34495e"),
            label=EVENT_TYPE_LABELS.get(t, t),
        )
        for t in present
    ]
    if handles:
        ax.legend(handles=handles, loc="best", fontsize=7, frameon=True, framealpha=0.9)


def incident_map(content: SitrepContent) -> str:
    extent = west, east, south, north = _extent(content)
    with matplotlib.rc_context(SVG_RC):
        fig = Figure(figsize=FIGURE_SIZE)
        ax = fig.subplots()
        ax.set_facecolor("#f4f6f8")
        # Equal distances on both axes near this latitude.
        ax.set_aspect(1 / math.cos(math.radians((south + north) / 2)))
        _draw_places(ax, content, extent)
        _draw_incidents(ax, content)
        _legend(ax, content)
        ax.set_xlim(west, east)
        ax.set_ylim(south, north)
        ax.tick_params(labelsize=6.5, colors="#8a94a3", length=2)
        ax.set_xlabel("Longitude (°E)", fontsize=7, color="#8a94a3")
        ax.set_ylabel("Latitude (°N)", fontsize=7, color="#8a94a3")
        for side in ("top", "right", "bottom", "left"):
            ax.spines[side].set_visible(True)
            ax.spines[side].set_color("#c8ced6")
        _scale_bar(ax, west, east, south, north)
        return to_svg(fig)
