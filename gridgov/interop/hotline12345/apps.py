from django.apps import AppConfig


class Hotline12345Config(AppConfig):
    name = "gridgov.interop.hotline12345"
    label = "hotline12345"
    verbose_name = "12345 热线对接"
