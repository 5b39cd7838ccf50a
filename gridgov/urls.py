"""URL routes: admin, API, assessment, reports and the workbench."""

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
    path("", include("gridgov.web.urls")),
]
