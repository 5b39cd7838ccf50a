from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "gridgov.reports"
    verbose_name = "通报与报告"
