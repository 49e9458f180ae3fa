"""The API's JSON renderer writes what DRF's own would, byte for byte."""

import datetime
import decimal
import uuid

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from claims.api.renderers import FastJSONRenderer

SAMPLES = [
    {"text": "Zoë said “yes” 🚧", "n": 3, "none": None, "ok": True},
    {"line": "a\u2028b\u2029c", "html": "<script>alert(1)</script>"},
    [1, 2.5, "x", {"nested": [None, False]}],
    {"lazy": gettext_lazy("This field is required.")},
    {"decimal": decimal.Decimal("1.50"), "uuid": uuid.UUID(int=7)},
    {"when": datetime.datetime(2025, 4, 22, 9, 30, tzinfo=datetime.UTC)},
    {"day": datetime.date(2025, 12, 31)},
    {"precise": datetime.datetime(2025, 4, 22, 9, 30, 1, 123456, tzinfo=datetime.UTC)},
    {"naive": datetime.datetime(2025, 4, 22, 9, 30, 1, 500)},
    {"clock": datetime.time(9, 30, 1, 250000), "span": datetime.timedelta(hours=2)},
    ReturnDict({"a": ReturnList([1], serializer=None)}, serializer=None),
    {"empty": {}, "list": []},
    "just a string",
]


@pytest.mark.parametrize("data", SAMPLES)
def test_renders_as_drf_does(data):
    assert FastJSONRenderer().render(data) == JSONRenderer().render(data)


def test_indent_on_request_and_nothing_for_none():
    rendered = FastJSONRenderer().render({"a": [1]}, "application/json; indent=2", {})
    assert rendered == b'{\n  "a": [\n    1\n  ]\n}'
    assert FastJSONRenderer().render(None) == b""


@pytest.mark.django_db
def test_the_api_answers_with_it(api):
    response = api().get("/api/v1/claims/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.accepted_renderer.__class__ is FastJSONRenderer
