"""The database refuses records that cannot be true, whatever code writes them."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from dangwu.meetings.models import AbsenceCase, Attendance, HeartTalk, Meeting, Resolution
from tests import factories

DAY = dt.date(2026, 10, 15)


def refused(make) -> bool:
    try:
        with transaction.atomic():
            make()
    except IntegrityError:
        return True
    return False


def test_meeting_cannot_end_before_it_starts(tree):
    assert refused(
        lambda: Meeting.objects.create(
            organization=tree.branch,
            kind="general_meeting",
            topic="支部党员大会",
            date=DAY,
            starts_at=dt.time(15, 0),
            ends_at=dt.time(14, 0),
        )
    )
    assert not Meeting.objects.exists()


def test_only_a_held_meeting_can_have_approved_minutes(tree):
    assert refused(
        lambda: Meeting.objects.create(
            organization=tree.branch,
            kind="general_meeting",
            topic="支部党员大会",
            date=DAY,
            status="planned",
            minutes_approved_at=timezone.now(),
        )
    )


def test_two_meetings_cannot_share_a_signin_token(tree):
    factories.meeting(tree.branch, "theme_day", DAY, signin_token="abc")
    assert refused(lambda: factories.meeting(tree.branch, "theme_day", DAY, signin_token="abc"))
    # Meetings without a token (the empty string) are many.
    factories.meeting(tree.branch, "theme_day", DAY)
    factories.meeting(tree.branch, "theme_day", DAY)
    assert Meeting.objects.filter(signin_token="").count() == 2


def test_on_leave_needs_an_approved_leave(tree):
    person = factories.person(tree.branch, name="王五")
    m = factories.meeting(tree.branch, "general_meeting", DAY)
    assert refused(
        lambda: Attendance.objects.create(
            meeting=m, person=person, status="on_leave", leave_state="requested"
        )
    )
    Attendance.objects.create(meeting=m, person=person, status="on_leave", leave_state="approved")
    assert refused(lambda: Attendance.objects.create(meeting=m, person=person, status="present"))


def test_a_heart_talk_is_between_two_people(tree):
    person = factories.person(tree.branch, name="王五")
    assert refused(
        lambda: HeartTalk.objects.create(
            organization=tree.branch, date=DAY, person=person, other=person, topic="谈心"
        )
    )


def test_one_open_absence_case_per_person(tree):
    person = factories.person(tree.branch, name="王五")
    AbsenceCase.objects.create(
        person=person, opened_on=DAY, months=6, absent_from=dt.date(2026, 4, 1)
    )
    assert refused(
        lambda: AbsenceCase.objects.create(
            person=person, opened_on=DAY, months=7, absent_from=dt.date(2026, 3, 1)
        )
    )
    assert refused(
        lambda: AbsenceCase.objects.create(
            person=person,
            opened_on=DAY,
            months=6,
            absent_from=dt.date(2026, 4, 1),
            resolution="justified",
        )
    )


@pytest.mark.parametrize(("should", "present", "ok"), [(10, 10, True), (10, 11, False)])
def test_resolution_present_at_most_should_attend(tree, should, present, ok):
    m = factories.meeting(tree.branch, "general_meeting", DAY)
    make = lambda: Resolution.objects.create(  # noqa: E731
        meeting=m,
        number=1,
        text="同意接收某某为预备党员",
        should_attend=should,
        present=present,
        in_favour=present,
        quorate=True,
        passed=True,
    )
    assert refused(make) is not ok
