"""The population-movements table lists the largest flows and sums up the rest in one line,
so a governorate-month with hundreds of flows stays a few pages."""

from __future__ import annotations

from datetime import UTC, datetime

from humanitarian.models.enums import Sensitivity
from humanitarian.reports.render import render_pdf
from humanitarian.services import sitrep_content
from humanitarian.services.sitrep_content import build_content

from .conftest import PERIOD, pdf_text


def _content(area="SY02"):
    return build_content(area, *PERIOD, Sensitivity.restricted, datetime.now(UTC))


def test_the_largest_flows_are_listed_and_the_rest_summed(demo, monkeypatch):
    every = _content().flows
    assert len(every) >= 3, "the demo needs a few flows for this test"
    monkeypatch.setattr(sitrep_content, "FLOWS_SHOWN", 2)
    content = _content()
    assert content.flows == every[:2]
    assert [f.individuals for f in every] == sorted((f.individuals for f in every), reverse=True)
    rest = every[2:]
    assert content.other_flows.count == len(rest)
    assert content.other_flows.individuals == sum(f.individuals for f in rest)
    text = pdf_text(render_pdf(content).pdf)
    people = f"{content.other_flows.individuals:,}"
    flows = "flow" if len(rest) == 1 else "flows"
    assert f"and {len(rest)} smaller {flows} totalling {people} people" in text
    # Every flow's sources are still credited, listed or not.
    cited = {s.id for s, _ in content.sources}
    assert all(f.source_ids <= cited for f in every)


def test_no_summary_line_when_every_flow_fits(demo):
    content = _content()
    assert content.other_flows.count == 0
    assert "smaller flow" not in pdf_text(render_pdf(content).pdf)
