from django.apps import AppConfig


class WhistlesConfig(AppConfig):
    name = "gridgov.whistles"
    verbose_name = "吹哨报到"
