from django.apps import AppConfig


class RunnerConfig(AppConfig):
    name = "gridgov.runner"
    verbose_name = "后台任务"
