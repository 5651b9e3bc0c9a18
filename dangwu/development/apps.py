from django.apps import AppConfig


class DevelopmentConfig(AppConfig):
    name = "dangwu.development"
    label = "development"
    verbose_name = "发展党员"
