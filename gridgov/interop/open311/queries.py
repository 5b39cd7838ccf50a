"""The public service requests and the GET filters over them, loaded in a fixed number of queries."""

import math

from django.db.models import ExpressionWrapper, F, FloatField, Prefetch, Q

from gridgov.interop.open311.params import RequestQuery
from gridgov.interop.open311.serializers import PUBLIC_VERBS
from gridgov.tickets.models import Assignment, Ticket, TimelineEvent
from gridgov.tickets.states import DONE_STATES

METERS_PER_DEGREE_LAT = 110_574.0
METERS_PER_DEGREE_LON_AT_EQUATOR = 111_320.0


def public_requests(extensions: bool = False):
    """Tickets of public categories (the services), with everything a response needs joined or prefetched."""
    qs = (Ticket.objects.filter(category__public=True)
          .select_related("category", "rule", "channel", "parent", "area", "open311_request")
          .prefetch_related(Prefetch("assignments", to_attr="leads",
                                     queryset=Assignment.objects.filter(role=Assignment.Role.LEAD).select_related("unit"))))
    if extensions:
        events = TimelineEvent.objects.filter(verb__in=PUBLIC_VERBS).order_by("seq")
        qs = qs.prefetch_related(Prefetch("events", queryset=events, to_attr="public_events"))
    return qs


def _near(qs, lon: float, lat: float, radius: float):
    # An equirectangular distance is exact enough for a city-sized radius and needs no spatial functions in SQL.
    ky = METERS_PER_DEGREE_LAT
    kx = METERS_PER_DEGREE_LON_AT_EQUATOR * math.cos(math.radians(lat))
    dlat, dlon = radius / ky, radius / max(kx, 1.0)
    dx, dy = (F("lon") - lon) * kx, (F("lat") - lat) * ky
    qs = qs.filter(lat__range=(lat - dlat, lat + dlat), lon__range=(lon - dlon, lon + dlon))
    return qs.alias(d2=ExpressionWrapper(dx * dx + dy * dy, output_field=FloatField())).filter(d2__lte=radius * radius)


def filter_requests(qs, q: RequestQuery):
    """Apply the standard filters and the extensions; service_request_id overrides all the others."""
    if q.ids:
        return qs.filter(number__in=q.ids)
    if q.service_codes:
        qs = qs.filter(category__code__in=q.service_codes)
    if q.start:
        qs = qs.filter(received_at__gte=q.start)
    if q.end:
        qs = qs.filter(received_at__lte=q.end)
    if set(q.statuses) == {"closed"}:
        qs = qs.filter(state__in=DONE_STATES)
    elif set(q.statuses) == {"open"}:
        qs = qs.exclude(state__in=DONE_STATES)
    if q.updated_after:
        qs = qs.filter(updated_at__gt=q.updated_after)
    if q.updated_before:
        qs = qs.filter(updated_at__lt=q.updated_before)
    if q.near:
        qs = _near(qs, *q.near)
    if q.bbox:
        min_lon, min_lat, max_lon, max_lat = q.bbox
        qs = qs.filter(Q(lon__range=(min_lon, max_lon)) & Q(lat__range=(min_lat, max_lat)))
    return qs


def page(qs, q: RequestQuery) -> list:
    """Return one page, newest first: at most page_size (default and cap 1000) requests."""
    offset = (q.page - 1) * q.page_size
    return list(qs.order_by("-received_at", "-id")[offset:offset + q.page_size])
