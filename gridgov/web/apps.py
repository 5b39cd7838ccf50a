from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "gridgov.web"
    verbose_name = "工作台"
