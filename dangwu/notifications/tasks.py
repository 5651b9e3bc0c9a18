"""Background jobs of the notifications app (Django's tasks API, run by ``dangwu worker``)."""

from django_tasks import task

from dangwu.core import clock
from dangwu.notifications.services import reminders_run


@task()
def send_reminders() -> dict:
    """The daily reminders run. Idempotent: a second run on the same day adds nothing."""
    return reminders_run(today=clock.today())
