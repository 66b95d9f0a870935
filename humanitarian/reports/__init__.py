"""Situation reports as a surface: the PDF (Jinja templates rendered by WeasyPrint, charts and
the map drawn by matplotlib), the archive pages, downloads and the ``sitrep``/``scheduler``
commands.

What a sitrep contains is gathered by the service layer
(``humanitarian.services.sitrep_content``), which also generates, archives and lists sitreps
(``humanitarian.services.sitreps``). This package only draws: ``blueprint.render_sitrep`` is
registered on the app as the service's renderer, so the service never imports it.

- ``blueprint``: the blueprint and what it registers on the app (renderer, in-process scheduler)
- ``render``: content → HTML → PDF; ``highlights``: the generated sentences; ``labels``: words
  and number/date formats; ``charts``, ``maps``: SVG figures
- ``views``: the archive pages; ``schedules``: schedule pages and the e-mails' links; ``cli``: `flask sitrep …` and `flask scheduler …`
"""

from . import schedules, views  # noqa: F401  (register the routes on the blueprint)
from .blueprint import bp

__all__ = ["bp"]
