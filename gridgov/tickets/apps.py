from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "gridgov.tickets"
    verbose_name = "工单"
