"""A speaker's record and claims over time, and the tracker's verdicts by
month, drawn as accessible SVG in the page (issue 25)."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.utils import timezone

from claims.models import DatePrecision, Status

from .test_public_pages import accept, move

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"


def charts(page: str) -> list[ET.Element]:
    return [ET.fromstring(svg) for svg in re.findall(r"<svg .*?</svg>", page, re.S)]


def bar_labels(svg: ET.Element) -> list[tuple[str, str]]:
    """Each bar's label and number, as the text a screen reader reads."""
    return [
        tuple(t.text for t in group.findall(f"{SVG}text"))
        for group in svg.iter(f"{SVG}g")
        if group.find(f"{SVG}rect") is not None
    ]


def test_a_speaker_page_draws_their_record_and_claims_over_time(
    client, propose, other_reviewer, reviewer, speaker, source
):
    accept(propose(), other_reviewer)
    second = accept(propose(text="Tolls will fall by May 2025."), other_reviewer)
    move(second, Status.CONFIRMED, reviewer, source, words="will reopen by June")
    propose(text="A proposal, in no chart.")
    record, months = charts(client.get(f"/speakers/{speaker.pk}/").content.decode())
    assert record.get("role") == "img"
    assert record.find(f"{SVG}title").text == f"Claims by {speaker.name}, by status"
    assert record.find(f"{SVG}desc").text == "Pending: 1; Confirmed: 1"
    assert bar_labels(record) == [("Pending", "1"), ("Confirmed", "1")]
    assert bar_labels(months) == [("March 2025", "2")]


def test_the_tracker_draws_verdicts_by_month(
    client, propose, other_reviewer, reviewer, source
):
    claim = accept(propose(), other_reviewer)
    move(claim, Status.CONFIRMED, reviewer, source, words="will reopen by June")
    cache.clear()
    (chart,) = charts(client.get("/").content.decode())
    labels = bar_labels(chart)
    assert len(labels) == 12
    this_month = DatePrecision.MONTH.format(timezone.localdate())
    assert labels[-1] == (this_month, "1")
    assert all(count == "0" for _, count in labels[:-1])
    assert f"{this_month}: 1" in chart.find(f"{SVG}desc").text
