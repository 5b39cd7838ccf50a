from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "gridgov.supervision"
    verbose_name = "催办督办"
