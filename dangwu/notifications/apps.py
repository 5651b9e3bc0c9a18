from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "dangwu.notifications"
    label = "notifications"
    verbose_name = "提醒"
