from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "dangwu.core"
    label = "core"
    verbose_name = "基础"

    def ready(self) -> None:
        from dangwu.core import signals  # noqa: F401 - connects login audit receivers
