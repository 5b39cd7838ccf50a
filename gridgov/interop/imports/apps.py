from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "gridgov.interop.imports"
    label = "imports"
    verbose_name = "历史工单导入"
