"""Seed the holiday schedules shipped in ``data/holidays.json`` (2004–2026, CAL-DATA)."""

import json
from importlib import resources

from django.db import migrations


def seed(apps, schema_editor):
    HolidaySchedule = apps.get_model("core", "HolidaySchedule")
    text = resources.files("dangwu.core").joinpath("data/holidays.json").read_text("utf-8")
    data = json.loads(text)
    source = "国务院办公厅节假日安排通知（随 Dangwu 发布）"
    for year, sched in data["years"].items():
        HolidaySchedule.objects.update_or_create(
            year=int(year),
            defaults={
                "rest_days": sched["rest"],
                "makeup_workdays": sched["makeup"],
                "source": source,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("core", "0002_holidayschedule")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
