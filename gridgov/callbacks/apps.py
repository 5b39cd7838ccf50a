from django.apps import AppConfig


class CallbacksConfig(AppConfig):
    name = "gridgov.callbacks"
    verbose_name = "回访与调查"
