"""The sitrep map, drawn offline as SVG by matplotlib: district and governorate borders from
the gazetteer, districts shaded by their number of incidents (a choropleth with its legend),
incident points, place names, a scale bar and the attribution the boundaries require.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import TYPE_CHECKING

import matplotlib
from flask_babel import gettext as _
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path
from matplotlib.transforms import offset_copy

from ..services.mapping import ATTRIBUTION, class_breaks, class_of
from ..services.places import current_places
from .charts import EVENT_COLOURS, INK, SVG_RC, to_svg
from .labels import EVENT_TYPE_LABELS, drawn, is_arabic, number

if TYPE_CHECKING:
    from ..services.sitrep_content import SitrepContent

FIGURE_SIZE = (7.0, 4.6)  # the text width; the map is never rescaled, so text keeps its size
# "none" and four sequential classes, as on the web pages.
CLASS_COLOURS = ("#f7f4f0", "#fdd9b5", "#fca56f", "#e4572e", "#a1221b")


def _path(geometry) -> Path:
    """A matplotlib path for a (multi)polygon, holes included."""
    vertices, codes = [], []
    for polygon in getattr(geometry, "geoms", [geometry]):
        for ring in [polygon.exterior, *polygon.interiors]:
            coords = list(ring.coords)
            vertices += coords
            codes += [Path.MOVETO] + [Path.LINETO] * (len(coords) - 2) + [Path.CLOSEPOLY]
    return Path(vertices, codes)


def _inside(content: SitrepContent, pcode: str) -> bool:
    place = current_places().get(pcode)
    own = content.area.pcode
    return place is not None and (own in place.lineage or pcode in content.area.path.split("/"))


def _draw_areas(ax, content: SitrepContent, breaks) -> None:
    frame = content.map_frame
    for pcode, shape in frame.districts.items():
        figure = content.district_figures.get(pcode)
        colour = CLASS_COLOURS[class_of(figure.incidents if figure else 0, breaks)]
        ax.add_patch(
            PathPatch(
                _path(shape),
                facecolor=colour,
                edgecolor="#c9c2b8",
                linewidth=0.4,
                alpha=1.0 if _inside(content, pcode) else 0.45,
                zorder=1,
            )
        )
    for shape in frame.governorates.values():
        ax.add_patch(
            PathPatch(_path(shape), facecolor="none", edgecolor="#4b5868", linewidth=0.9, zorder=2)
        )


def _draw_labels(ax, content: SitrepContent) -> None:
    """District names inside the sitrep's area (governorate names on a country map), set
    under a dot at the area's centroid."""
    frame = content.map_frame
    layer = frame.governorates if content.area.level == 0 else frame.districts
    places = current_places()
    for pcode in layer:
        place = places.get(pcode)
        if place is None or place.centroid_lat is None or not _inside(content, pcode):
            continue
        ax.plot(
            place.centroid_lon,
            place.centroid_lat,
            marker="o",
            markersize=2,
            color=INK,
            zorder=6,
            gid=f"area-{pcode}",  # the SVG names what each mark stands for
        )
        ax.annotate(
            drawn(place.name_ar if is_arabic() and place.name_ar else place.name_en),
            (place.centroid_lon, place.centroid_lat),
            xytext=(0, -10),
            textcoords="offset points",
            ha="center",
            fontsize=7,
            color=INK,
            zorder=6,
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
                alpha=0.85,
                edgecolors="white",
                linewidths=0.8,
                zorder=4,
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


def _legend(ax, content: SitrepContent, breaks) -> None:
    present = dict.fromkeys(p.event_type for p in content.map_points)
    handles = [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markersize=6,
            color=EVENT_COLOURS.get(t, "#34495e"),
            label=drawn(EVENT_TYPE_LABELS.get(t, t)),
        )
        for t in present
    ]
    for index, (low, high) in enumerate(breaks):
        span = number(low) if low == high else f"{number(low)}–{number(high)}"
        label = _("no incidents") if high == 0 else span
        handles.append(
            Patch(
                facecolor=CLASS_COLOURS[index],
                edgecolor="#c9c2b8",
                label=drawn(_("District: %(label)s", label=label)),
            )
        )
    ax.legend(handles=handles, loc="best", fontsize=6.5, frameon=True, framealpha=0.92)


def _scale_bar(ax, west: float, east: float, south: float, north: float) -> None:
    """A round-number kilometre bar in the lower-right corner."""
    mid_lat = (south + north) / 2
    km_per_degree = 111.32 * math.cos(math.radians(mid_lat))
    span_km = (east - west) * km_per_degree
    length = next((n for n in (200, 100, 50, 25, 20, 10, 5, 2, 1) if n <= span_km / 4), 1)
    x1, y0 = east - (east - west) * 0.04, south + (north - south) * 0.05
    x0 = x1 - length / km_per_degree
    ax.plot([x0, x1], [y0, y0], color=INK, linewidth=2, solid_capstyle="butt", zorder=6)
    ax.text(
        (x0 + x1) / 2,
        y0 + (north - south) * 0.015,
        drawn(_("%(length)s km", length=number(length))),
        ha="center",
        fontsize=7,
    )


def incident_map(content: SitrepContent) -> str:
    frame = content.map_frame
    west, east, south, north = frame.west, frame.east, frame.south, frame.north
    breaks = class_breaks(max((f.incidents for f in content.district_figures.values()), default=0))
    with matplotlib.rc_context(SVG_RC):
        fig = Figure(figsize=FIGURE_SIZE)
        ax = fig.subplots()
        ax.set_facecolor("#eef3f7")
        # Equal distances on both axes near this latitude.
        ax.set_aspect(1 / math.cos(math.radians((south + north) / 2)))
        _draw_areas(ax, content, breaks)
        _draw_labels(ax, content)
        _draw_incidents(ax, content)
        _legend(ax, content, breaks)
        ax.set_xlim(west, east)
        ax.set_ylim(south, north)
        ax.tick_params(labelsize=6.5, colors="#8a94a3", length=2)
        for side in ("top", "right", "bottom", "left"):
            ax.spines[side].set_color("#c8ced6")
        _scale_bar(ax, west, east, south, north)
        fig.text(0.01, 0.005, _(ATTRIBUTION), fontsize=5.5, color="#5b6876")
        return to_svg(fig)
