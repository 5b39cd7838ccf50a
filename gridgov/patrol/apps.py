from django.apps import AppConfig


class PatrolConfig(AppConfig):
    name = "gridgov.patrol"
    verbose_name = "网格巡查"
