from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "gridgov.metrics"
    verbose_name = "统计指标"
