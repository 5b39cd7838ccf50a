"""Open311 fixtures: a frozen clock, public services with attributes, the Open311 channel and a client's key."""

from types import SimpleNamespace

import pytest

from gridgov.interop.open311 import keys
from gridgov.interop.open311.models import ServiceAttribute
from tests import factories as f
from tests.conftest import FakeClock, freeze_clock


@pytest.fixture(autouse=True)
def fake_clock(monkeypatch) -> FakeClock:
    """Freeze time at a Monday 10:00 Beijing time."""
    return freeze_clock(monkeypatch)


def setup_open311(world) -> SimpleNamespace:
    """Make 噪音扰民 and 道路破损 public, give 道路破损 attributes, add the channel and issue one client key."""
    f.ChannelFactory(code="open311", name="Open311", prefix="OP")
    for cat, words in ((world.cat_noise, ["噪音", "扰民"]), (world.cat_road, ["道路", "坑洼"])):
        cat.public, cat.keywords = True, words
        cat.save(update_fields=["public", "keywords"])
    ServiceAttribute.objects.create(
        category=world.cat_road, code="DAMAGE", datatype="singlevaluelist", required=True, order=1,
        description="破损类型", values=[{"key": "hole", "name": "坑洞"}, {"key": "crack", "name": "裂缝"}])
    ServiceAttribute.objects.create(category=world.cat_road, code="SIZE", datatype="number", order=2,
                                    description="破损面积(平方米)", datatype_description="填写数字")
    ServiceAttribute.objects.create(category=world.cat_road, code="LANES", datatype="multivaluelist", order=3,
                                    description="影响车道", values=[{"key": "1", "name": "一车道"}, {"key": "2", "name": "二车道"}])
    ServiceAttribute.objects.create(category=world.cat_road, code="NOTE", datatype="string", variable=False, order=4,
                                    description="紧急险情请直接拨打 12345")
    client, key = keys.issue("城市随手拍")
    return SimpleNamespace(world=world, client=client, key=key)


@pytest.fixture
def o311(world):
    """The world set up for Open311 (see setup_open311)."""
    return setup_open311(world)


def post_request(client, key, fmt="json", **fields):
    """POST a form-encoded service request the way Open311 clients do."""
    data = {"api_key": key, **fields}
    return client.post(f"/open311/v2/requests.{fmt}", data=data)


@pytest.fixture
def submit(client, o311):
    """Return a function that posts a valid 噪音扰民 request (overridable fields) and returns its JSON answer."""

    def make(**fields):
        data = {"service_code": "010101", "lat": "0.5", "long": "0.5", "description": "楼下KTV每晚噪音到凌晨两点",
                **fields}
        response = post_request(client, o311.key, **data)
        assert response.status_code == 200, response.content.decode()
        return response.json()[0]

    return make
