"""URL routes: admin, API, Open311, the 12345 adapter, assessment, reports, self-evaluation, whistles, workbench."""

from django.contrib import admin
from django.urls import include, path

from gridgov.api.root import api

admin.site.site_header = "gridgov 网格化综合服务平台"
admin.site.site_title = "gridgov 管理后台"
admin.site.index_title = "基础数据维护"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("assessment/", include("gridgov.assessment.urls")),
    path("reports/", include("gridgov.reports.urls")),
    path("selfeval/", include("gridgov.selfeval.urls")),
    path("open311/v2/", include("gridgov.interop.open311.urls")),
    path("interop/12345/", include("gridgov.interop.hotline12345.urls")),
    path("whistles/", include("gridgov.whistles.urls")),
    path("notifications/", include("gridgov.notifications.urls")),
    path("supervision/", include("gridgov.supervision.urls")),
    path("", include("gridgov.web.urls")),
]
