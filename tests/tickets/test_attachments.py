"""Attachments: type checked by content, size limited, only for people who work on the ticket, on the timeline."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gridgov.core.errors import Forbidden, InvalidInput, NotFound
from gridgov.tickets import actions
from gridgov.tickets.attachments import attach
from gridgov.tickets.models import Attachment
from tests.conftest import MONDAY_10AM

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def ticket(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return actions.do_receive(world.operator, channel="h12345", category=world.cat_noise.code, title="噪音", description="夜间噪音",
                              lon=0.5, lat=0.5, now=MONDAY_10AM)


def test_a_photo_is_saved_and_recorded(world, ticket):
    [a] = attach(world.operator, ticket.pk, [SimpleUploadedFile("现场.png", PNG)])
    assert (a.content_type, a.size, a.is_image) == ("image/png", len(PNG), True)
    assert ticket.events.order_by("-seq").first().verb == "attach"


@pytest.mark.parametrize("name, content, message", [
    ("virus.exe", b"MZ\x90\x00", "不支持的文件类型"),
    ("fake.png", b"MZ\x90\x00 not a png", "内容与扩展名不符"),
])
def test_bad_files_are_refused_and_nothing_is_saved(world, ticket, name, content, message):
    good = SimpleUploadedFile("ok.png", PNG)
    with pytest.raises(InvalidInput, match=message):
        attach(world.operator, ticket.pk, [good, SimpleUploadedFile(name, content)])
    assert not Attachment.objects.exists() and ticket.events.count() == 1


def test_size_limit(world, ticket, monkeypatch):
    monkeypatch.setattr("gridgov.tickets.attachments.MAX_BYTES", 10)
    with pytest.raises(InvalidInput, match="超过"):
        attach(world.operator, ticket.pk, [SimpleUploadedFile("big.png", PNG)])


def test_only_people_working_on_the_ticket_may_attach(world, ticket):
    with pytest.raises(Forbidden):
        attach(world.viewer, ticket.pk, [SimpleUploadedFile("a.png", PNG)])
    with pytest.raises(NotFound):
        attach(world.handler_b, ticket.pk, [SimpleUploadedFile("a.png", PNG)])
