"""gridgov metrics: check finds tampered counts, rebuild repairs them, show prints figures with their bases."""

from datetime import datetime, timezone

import pytest
from django.core.management import CommandError, call_command

from gridgov.metrics.models import AreaMonthCount
from gridgov.tickets import actions


@pytest.fixture
def one_ticket(world):
    return actions.do_receive(world.operator, channel="h12345", category=world.cat_noise.code, title="噪音", description="噪音",
                              lon=0.5, lat=0.5, now=datetime(2026, 5, 6, 2, tzinfo=timezone.utc))


def test_check_rebuild_and_show(one_ticket, capsys):
    call_command("metrics", "check", "--period", "2026-05")
    AreaMonthCount.objects.update(received=5)
    with pytest.raises(CommandError, match="不一致"):
        call_command("metrics", "check", "--period", "2026-05")
    call_command("metrics", "rebuild", "--period", "2026-05")
    call_command("metrics", "check")
    assert AreaMonthCount.objects.get().received == 1
    capsys.readouterr()
    call_command("metrics", "show", "--period", "2026-05", "--by", "street", "--metrics", "received,satisfaction_rate")
    out = capsys.readouterr().out
    assert "望月湖街道  1  —" in out and "满意率：有效回访工单（按工单计" in out


@pytest.mark.parametrize("args,message", [
    (["show", "--period", "2026-13"], "统计期"),
    (["show", "--period", "2026-05", "--metrics", "nope"], "未知指标"),
    (["rebuild", "--period", "2026-05-03"], "整月"),
])
def test_bad_input_is_refused_in_chinese(world, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("metrics", *args)
