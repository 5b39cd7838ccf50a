from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "gridgov.notifications"
    verbose_name = "消息通知"

    def ready(self):
        from gridgov.notifications import receivers

        receivers.connect()
