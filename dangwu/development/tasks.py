"""Background jobs of member development (Django's tasks API, run by ``dangwu worker``)."""

from django_tasks import task

from dangwu.core import clock
from dangwu.development.refresh import refresh_all


@task()
def refresh_development_records() -> int:
    """Every open record's next step, due date and counts as of today (a deadline passing
    turns into a finding overnight). Idempotent; runs before the reminders."""
    return refresh_all(clock.today())
