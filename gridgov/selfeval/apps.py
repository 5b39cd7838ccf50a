from django.apps import AppConfig


class SelfevalConfig(AppConfig):
    name = "gridgov.selfeval"
    verbose_name = "绩效自评"
