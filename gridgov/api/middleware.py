"""Give /api/ responses that never reached an endpoint (unknown path, wrong method) the API's error shape."""

import json

from django.http import HttpResponse

API_PREFIX = "/api/"
SHAPES = {404: ("not_found", "接口不存在"), 405: ("method_not_allowed", "不支持该请求方法")}


class ApiErrorShapeMiddleware:
    """Replace Django's HTML 404 and ninja's plain-text 405 under /api/ with a structured JSON error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (request.path.startswith(API_PREFIX) and response.status_code in SHAPES
                and not response.get("Content-Type", "").startswith("application/json")):
            code, message = SHAPES[response.status_code]
            body = {"error": {"code": code, "message": message, "details": {"path": request.path}}}
            shaped = HttpResponse(json.dumps(body, ensure_ascii=False), status=response.status_code, content_type="application/json")
            if response.has_header("Allow"):
                shaped["Allow"] = response["Allow"]
            return shaped
        return response
