"""Pure parts without a database: W3C dates, the query rules, attribute checks and the XML writer."""

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from xml.etree import ElementTree

import pytest
from django.http import QueryDict

from gridgov.interop.open311.attributes import check_attributes, posted_attributes
from gridgov.interop.open311.params import parse_request_query, parse_w3c
from gridgov.interop.open311.render import Open311Error, to_xml, w3c
from gridgov.interop.open311.serializers import scrub

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("raw,expected", [
    ("2026-03-02T10:00:00+08:00", NOW),
    ("2026-03-02T02:00:00Z", NOW),
    ("2026-03-02T10:00:00 08:00", NOW),  # '+' decoded to a space by a careless client
    ("2026-03-02T10:00", NOW),  # no zone: Asia/Shanghai
    ("2026-03-02", datetime(2026, 3, 1, 16, 0, tzinfo=timezone.utc)),
    ("2026-03", datetime(2026, 2, 28, 16, 0, tzinfo=timezone.utc)),
    ("2026", datetime(2025, 12, 31, 16, 0, tzinfo=timezone.utc)),
])
def test_parse_w3c(raw, expected):
    assert parse_w3c(raw) == expected


@pytest.mark.parametrize("raw", ["", "yesterday", "2026-13-01", "02/03/2026", "2026-03-02 10:00"])
def test_parse_w3c_refuses(raw):
    with pytest.raises(ValueError):
        parse_w3c(raw)


def test_w3c_output_is_shanghai_with_offset():
    assert w3c(NOW) == "2026-03-02T10:00:00+08:00" and w3c(None) is None


def q(**params):
    return parse_request_query(params, NOW)


def test_defaults():
    query = q()
    assert (query.start, query.end) == (NOW - timedelta(days=90), NOW)
    assert (query.page, query.page_size, query.extensions) == (1, 1000, False)
    assert q(updated_after="2026-01-01").start is None  # syncing by update time: no requested-date window


def test_errors_are_collected():
    with pytest.raises(Open311Error) as caught:
        q(status="x", start_date="nope", lat="200", long="1", page="-1")
    assert caught.value.status == 400 and len(caught.value.descriptions) == 4


ROAD = [
    SimpleNamespace(code="KIND", datatype="singlevaluelist", required=True, variable=True, order=1, description="类型",
                    values=[{"key": "a", "name": "甲"}]),
    SimpleNamespace(code="WHEN", datatype="datetime", required=False, variable=True, order=2, description="发现时间", values=[]),
    SimpleNamespace(code="LINE", datatype="string", required=False, variable=True, order=3, description="位置", values=[]),
    SimpleNamespace(code="INFO", datatype="text", required=True, variable=False, order=4, description="说明", values=[]),
]


def test_posted_attributes_reads_both_forms():
    form = QueryDict("attribute[A]=1&attribute[B][]=x&attribute[B][]=y&attribute[C]=&other=1")
    assert posted_attributes(form) == {"A": ["1"], "B": ["x", "y"], "C": []}


def test_check_attributes():
    values, lines, errors = check_attributes(ROAD, {"KIND": ["a"], "WHEN": ["2026-03-02T10:00:00+08:00"]})
    assert errors == [] and values == {"KIND": "a", "WHEN": "2026-03-02T10:00:00+08:00"} and lines[0] == "类型：甲"
    _v, _l, errors = check_attributes(ROAD, {"WHEN": ["tomorrow"], "LINE": ["a\nb"]})
    assert len(errors) == 3  # KIND missing, WHEN not a datetime, LINE not one line; INFO is informational


def test_xml_writer_wraps_lists_and_strips_control_characters():
    doc = to_xml("services", [{"service_code": "1", "metadata": False, "keywords": None, "description": "a\x00b<c>"}])
    root = ElementTree.fromstring(doc)
    assert root[0].tag == "service" and root[0].findtext("metadata") == "false"
    assert root[0].find("keywords").text is None and root[0].findtext("description") == "ab<c>"


def test_scrub_masks_phone_and_id_numbers():
    assert scrub("电话13800138000，身份证430104199001011234") == "电话13*******00，身份证43**************34"
    assert scrub("3栋201室") == "3栋201室"
