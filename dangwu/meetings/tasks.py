"""Background jobs of organizational life (Django's tasks API, run by ``dangwu worker``)."""

from django_tasks import task

from dangwu.core import clock
from dangwu.meetings.services.tally import compliance_tally_refresh


@task()
def refresh_compliance_tallies() -> int:
    """This year's compliance counts of every branch, for the large committees' tables, and
    last year's too in January and February (records of December come in late).
    Idempotent: a second run on the same day rewrites the same rows."""
    today = clock.today()
    years = [today.year - 1, today.year] if today.month <= 2 else [today.year]
    return sum(compliance_tally_refresh(year=y, today=today) for y in years)
