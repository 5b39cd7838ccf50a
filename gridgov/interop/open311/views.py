"""GeoReport v2 endpoints: each parses, checks, calls one query or action and serialises."""

import logging
from functools import wraps

from django.conf import settings
from django.db.models import Exists, Max, OuterRef
from django.views.decorators.csrf import csrf_exempt

from gridgov.core import clock
from gridgov.core.errors import DomainError, Forbidden
from gridgov.interop.open311 import keys, queries, serializers
from gridgov.interop.open311.actions import do_submit, public_service
from gridgov.interop.open311.models import ServiceAttribute, ServiceRequestRecord
from gridgov.interop.open311.params import parse_request_query
from gridgov.interop.open311.render import Open311Error, error_response, respond, w3c
from gridgov.units.models import Category

log = logging.getLogger(__name__)
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
FIRST_CHANGESET = "2026-01-01T00:00:00+08:00"


def endpoint(*methods):
    """Route by method, answer refusals with the errors document in the requested format."""

    def decorate(view):
        @csrf_exempt  # clients post with an api_key, not a browser session
        @wraps(view)
        def wrapped(request, *args, fmt="xml", **kwargs):
            try:
                if request.method not in methods:
                    response = error_response(fmt, Open311Error(405, f"Method {request.method} not allowed / 不支持该请求方法"))
                    response["Allow"] = ", ".join(methods)
                    return response
                if any("\x00" in str(value) for value in kwargs.values()):  # %00 in a path: no such resource
                    raise Open311Error(404, f"No such resource: {request.path!r} / 接口不存在")
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as error:
                return error_response(fmt, error)
            except Forbidden as error:
                return error_response(fmt, Open311Error(403, f"Forbidden / {error.message}"))
            except DomainError as error:
                return error_response(fmt, Open311Error(400, error.message))

        return wrapped

    return decorate


def _changeset() -> str:
    latest = ServiceAttribute.objects.aggregate(m=Max("updated_at"))["m"]
    return w3c(latest) if latest else FIRST_CHANGESET


@endpoint("GET")
def discovery(request, fmt):
    """Service discovery: where the v2 endpoint is, its formats and how to get a key."""
    changeset = _changeset()
    base = request.build_absolute_uri(request.path).rsplit("/", 1)[0]
    return respond(fmt, "discovery", {
        "changeset": changeset,
        "contact": getattr(settings, "OPEN311_CONTACT", "区网格化综合服务中心（请联系系统管理员）"),
        "key_service": getattr(settings, "OPEN311_KEY_SERVICE",
                               "提交诉求需要 API 密钥：请向区网格化综合服务中心申请，由管理员以 `gridgov open311 key create 应用名称` 签发"),
        "endpoints": [{"specification": SPECIFICATION, "url": base, "changeset": changeset, "type": "production",
                       "formats": ["text/xml", "application/json"]}],
    })


@endpoint("GET")
def services(request, fmt):
    """The public leaf categories, with their group (level-1 name) and keywords."""
    cats = (Category.objects.filter(public=True, active=True)
            .filter(~Exists(Category.objects.filter(parent=OuterRef("pk"))))
            .annotate(has_attributes=Exists(ServiceAttribute.objects.filter(category=OuterRef("pk"))))
            .select_related("parent__parent").order_by("code"))
    return respond(fmt, "services", [serializers.service(c, c.has_attributes) for c in cats])


@endpoint("GET")
def service_definition(request, fmt, code):
    """One service's attributes."""
    category = public_service(code)
    if category is None:
        raise Open311Error(404, f"service_code {code} was not found / 服务编码 {code} 不存在")
    attrs = sorted(category.open311_attributes.all(), key=lambda a: (a.order, a.pk))
    return respond(fmt, "service_definition", {"service_code": category.code,
                                               "attributes": [serializers.attribute(a) for a in attrs]})


@endpoint("GET", "POST")
def requests(request, fmt):
    """GET: search service requests; POST: create one (api_key required)."""
    if request.method == "POST":
        return _create(request, fmt)
    q = parse_request_query(request.GET, clock.now())
    tickets = queries.page(queries.filter_requests(queries.public_requests(q.extensions), q), q)
    return respond(fmt, "service_requests", [serializers.request(t, q.extensions) for t in tickets])


def _create(request, fmt):
    client = keys.authenticate(request.POST.get("api_key") or request.GET.get("api_key"))
    if client is None:
        raise Open311Error(403, "Invalid api_key received -- can't proceed with create_request. / API 密钥缺失或无效，无法提交诉求")
    submitted = do_submit(client, request.POST)
    log.info("open311 request %s from client %s", submitted.ticket.number, client.pk)
    return respond(fmt, "service_requests", [{
        "service_request_id": submitted.ticket.number,
        "service_notice": serializers.service_notice(submitted.ticket),
        "account_id": submitted.record.account_id or None,
    }])


@endpoint("GET")
def request_detail(request, fmt, request_id):
    """One published service request by its id (the ticket number); an unpublished one is not found, like a missing one."""
    extensions = (request.GET.get("extensions") or "").strip().lower() == "true"
    ticket = queries.public_requests(extensions).filter(number=request_id).first()
    if ticket is None:
        raise Open311Error(404, f"service_request_id {request_id} was not found / 诉求编号 {request_id} 不存在")
    return respond(fmt, "service_requests", [serializers.request(ticket, extensions)])


@endpoint("GET")
def token(request, fmt, token_id):
    """The service_request_id a token stands for."""
    record = ServiceRequestRecord.objects.select_related("ticket").filter(token=token_id).first()
    if record is None:
        raise Open311Error(404, f"token {token_id} was not found / 令牌 {token_id} 不存在")
    return respond(fmt, "service_requests", [{"service_request_id": record.ticket.number, "token": record.token}])


@csrf_exempt
def not_found(request, rest=""):
    """Anything else under /open311/v2/: the spec's 404 in its errors format (JSON when the path asks for it)."""
    fmt = "json" if request.path.endswith(".json") else "xml"
    return error_response(fmt, Open311Error(404, f"No such resource: {request.path} / 接口不存在"))
