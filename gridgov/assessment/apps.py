from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "gridgov.assessment"
    verbose_name = "考核评定"
