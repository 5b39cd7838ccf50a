from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gridgov.core"
    verbose_name = "基础设置"
