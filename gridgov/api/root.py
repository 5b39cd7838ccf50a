"""The REST API at /api/v1: structured errors with a code and a Chinese message, never a 500 for bad input."""

from django.http import Http404
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError

from gridgov.api.auth import AUTH
from gridgov.core.errors import DomainError

# validatorUrl None: Swagger UI would otherwise send the schema to validator.swagger.io (we run offline).
api = NinjaAPI(title="gridgov API", version="1", description="网格化综合服务平台 REST API", auth=AUTH, urls_namespace="api",
               docs=Swagger(settings={"validatorUrl": None}))


def error(request, status: int, code: str, message: str, details=None):
    """Return the one error shape every endpoint uses."""
    return api.create_response(request, {"error": {"code": code, "message": message, "details": details or {}}}, status=status)


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return error(request, exc.status, exc.code, exc.message, exc.details)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    fields = [{"loc": [str(p) for p in e.get("loc", [])], "msg": e.get("msg", "")} for e in exc.errors]
    return error(request, 422, "invalid_input", "请求数据格式不正确", {"fields": fields})


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return error(request, 401, "unauthenticated", "请先登录或提供有效的访问令牌")


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error(request, 404, "not_found", "对象不存在或无权访问")


HTTP_ERRORS = {400: ("bad_request", "请求格式不正确，无法解析请求体（应为 JSON）"), 405: ("method_not_allowed", "不支持该请求方法")}


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    code, message = HTTP_ERRORS.get(exc.status_code, ("http_error", "请求无法处理"))
    return error(request, exc.status_code, code, message, {"reason": str(exc)})


def _register_routers() -> None:
    from gridgov.areas.api import router as areas_router
    from gridgov.tickets.api import router as tickets_router
    from gridgov.units.api import router as units_router

    api.add_router("/tickets", tickets_router, tags=["工单"])
    api.add_router("/areas", areas_router, tags=["区域"])
    api.add_router("/", units_router, tags=["单位与分类"])


_register_routers()
