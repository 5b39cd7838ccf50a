from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "gridgov.alerts"
    verbose_name = "超期预警"
