from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "dangwu.members"
    label = "members"
    verbose_name = "党员"
