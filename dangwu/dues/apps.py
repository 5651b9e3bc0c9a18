from django.apps import AppConfig


class DuesConfig(AppConfig):
    name = "dangwu.dues"
    label = "dues"
    verbose_name = "党费"
