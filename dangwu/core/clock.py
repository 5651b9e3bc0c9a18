"""The one place that reads the clock, so services can take ``today`` as a seam."""

import datetime as dt

from django.utils import timezone


def today() -> dt.date:
    """Today's date in Asia/Shanghai (the project's TIME_ZONE)."""
    return timezone.localdate()
