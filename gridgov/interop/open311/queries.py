"""The public service requests and the GET filters over them, loaded in a fixed number of queries."""

import math

from django.db.models import Case, ExpressionWrapper, F, FloatField, Prefetch, Value, When
from django.db.models.functions import Round

from gridgov.interop.open311.params import RequestQuery
from gridgov.interop.open311.serializers import CHANNEL, COARSE_DIGITS, PUBLIC_VERBS, published_channels
from gridgov.tickets.models import Assignment, Ticket, TimelineEvent
from gridgov.tickets.states import DONE_STATES

METERS_PER_DEGREE_LAT = 110_574.0
METERS_PER_DEGREE_LON_AT_EQUATOR = 111_320.0
# Rounding moves a coordinate by at most this much: the raw-coordinate prefilter is widened by it.
COARSE_SLACK = 0.5 * 10 ** -COARSE_DIGITS


def public_requests(extensions: bool = False):
    """Published tickets: of public categories (the services) and of a published channel (by default only requests
    posted through Open311), with everything a response needs joined or prefetched."""
    qs = (Ticket.objects.filter(category__public=True, channel_id__in=published_channels())
          .select_related("category", "rule", "channel", "parent", "area", "open311_request")
          .prefetch_related(Prefetch("assignments", to_attr="leads",
                                     queryset=Assignment.objects.filter(role=Assignment.Role.LEAD).select_related("unit"))))
    if extensions:
        events = TimelineEvent.objects.filter(verb__in=PUBLIC_VERBS).order_by("seq")
        qs = qs.prefetch_related(Prefetch("events", queryset=events, to_attr="public_events"))
    return qs


def _shown(name: str):
    """The coordinate as published: exact for Open311 requests, rounded for other channels (see serializers.point)."""
    return Case(When(channel_id=CHANNEL, then=F(name)), default=Round(F(name), COARSE_DIGITS), output_field=FloatField())


def _in_box(qs, min_lon: float, min_lat: float, max_lon: float, max_lat: float):
    # Filtering on the exact coordinates of a coarse ticket would let repeated small boxes find its precise point,
    # so the test is on what is published; the raw-coordinate range, widened by the rounding, keeps the index usable.
    s = COARSE_SLACK
    qs = qs.filter(lat__range=(min_lat - s, max_lat + s), lon__range=(min_lon - s, max_lon + s))
    return qs.alias(shown_lat=_shown("lat"), shown_lon=_shown("lon")).filter(
        shown_lat__range=(min_lat, max_lat), shown_lon__range=(min_lon, max_lon))


def _near(qs, lon: float, lat: float, radius: float):
    # An equirectangular distance is exact enough for a city-sized radius and needs no spatial functions in SQL.
    ky = METERS_PER_DEGREE_LAT
    kx = METERS_PER_DEGREE_LON_AT_EQUATOR * math.cos(math.radians(lat))
    dlat, dlon = radius / ky, radius / max(kx, 1.0)
    qs = _in_box(qs, lon - dlon, lat - dlat, lon + dlon, lat + dlat)
    dx, dy = (F("shown_lon") - Value(lon)) * kx, (F("shown_lat") - Value(lat)) * ky
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
        qs = _in_box(qs, *q.bbox)
    return qs


def page(qs, q: RequestQuery) -> list:
    """Return one page, newest first: at most page_size (default and cap 1000) requests."""
    offset = (q.page - 1) * q.page_size
    return list(qs.order_by("-received_at", "-id")[offset:offset + q.page_size])
