"""Tickets from the city taken through their lifecycle, and the outbox read from another process's database."""

import uuid

from gridgov.interop.hotline12345.intake import receive_order
from gridgov.interop.hotline12345.wire import parse_order
from gridgov.tickets.actions import do_close, do_dispatch, do_report, do_request_extension, do_return, do_sign
from gridgov.tickets.models import Assignment
from tests.interop.hotline12345.conftest import order_json
from tests.worker_db import WorkerDatabase


def city_ticket(order_no="SZ1"):
    """Receive a city order and return its ticket."""
    ticket, _ = receive_order(parse_order(order_json(order_no)))
    return ticket


def handled_to_close(world, order_no="SZ1"):
    """A city ticket dispatched jointly, signed by both units, extension asked, reported and closed."""
    t = city_ticket(order_no)
    do_dispatch(world.dispatcher, t.pk, lead_unit_id=world.unit_a.pk, support_unit_ids=[world.dept_city.pk])
    lead = Assignment.objects.get(ticket=t, unit=world.unit_a)
    support = Assignment.objects.get(ticket=t, unit=world.dept_city)
    do_sign(world.handler_a, t.pk, assignment_id=lead.pk)
    do_sign(world.handler_city, t.pk, assignment_id=support.pk)
    do_request_extension(world.handler_a, t.pk, assignment_id=lead.pk, amount=2, limit_unit="work_days", reason="需协调物业")
    do_report(world.handler_a, t.pk, assignment_id=lead.pk, result="已责令停工整改")
    do_close(world.dispatcher, t.pk, note="核查属实")
    return t


def returned(world, order_no="SZ2"):
    """A city ticket whose lead unit sent it back."""
    t = city_ticket(order_no)
    do_dispatch(world.dispatcher, t.pk, lead_unit_id=world.unit_a.pk)
    lead = Assignment.objects.get(ticket=t, unit=world.unit_a)
    do_return(world.handler_a, t.pk, assignment_id=lead.pk, reason="不属于本街道")
    return t


class OutboxDatabase(WorkerDatabase):
    """The worker database, read as the outbox."""

    def rows(self) -> list[tuple[str, str, str]]:
        """Return (message id, state, claimed_by) of every outbox row, as committed right now."""
        sql = "SELECT message_id, state, claimed_by FROM hotline12345_outboxmessage ORDER BY id"
        return [(str(uuid.UUID(str(mid))), state, by) for mid, state, by in self.query(sql)]
