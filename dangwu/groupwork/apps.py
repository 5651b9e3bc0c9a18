from django.apps import AppConfig


class GroupworkConfig(AppConfig):
    name = "dangwu.groupwork"
    label = "groupwork"
    verbose_name = "党小组工作"
