from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "gridgov.units"
    verbose_name = "单位与责任清单"
