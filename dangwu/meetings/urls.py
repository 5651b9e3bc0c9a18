"""Organizational life pages. Views live in four modules: meetings and attendance
(``views``), compliance by period (``views_compliance``), attendance rates, absence
handling and heart talks (``views_absence``), the calendar (``views_calendar``) and files
(``views_files``)."""

from django.urls import path

from dangwu.meetings import (
    views,
    views_absence,
    views_calendar,
    views_compliance,
    views_files,
)

app_name = "meetings"
urlpatterns = [
    path("", views.meetings_home, name="home"),
    path("me/", views.my_meetings, name="mine"),
    # An organization's meetings.
    path("orgs/<int:org_id>/", views.meeting_list, name="list"),
    path("orgs/<int:org_id>/new/", views.meeting_create, name="create"),
    # One meeting.
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/edit/", views.meeting_edit, name="edit"),
    path("<int:pk>/notice/", views.meeting_notice, name="notice"),
    path("<int:pk>/cancel/", views.meeting_cancel, name="cancel"),
    path("<int:pk>/attendance/", views.attendance_record, name="attendance"),
    path("<int:pk>/minutes/", views.minutes_record, name="minutes"),
    path("<int:pk>/approve/", views.minutes_approve, name="approve"),
    path("<int:pk>/signin/", views.signin_open, name="signin_open"),
    path("<int:pk>/leave/", views.leave_request, name="leave_request"),
    path("attendance/<int:attendance_id>/leave/", views.leave_decide, name="leave_decide"),
    path("attendance/<int:attendance_id>/leave/record/", views.leave_record, name="leave_record"),
    path("<int:pk>/resolutions/new/", views.resolution_add, name="resolution_add"),
    path("<int:pk>/files/", views.file_upload, name="file_upload"),
    path("files/<int:file_id>/", views.file_download, name="file_download"),
    path("signin/<str:token>/", views.signin, name="signin"),
    # Compliance, attendance rates, absence handling, heart talks.
    path("orgs/<int:org_id>/compliance/", views_compliance.compliance, name="compliance"),
    path("orgs/<int:org_id>/attendance/", views_absence.attendance_rates, name="rates"),
    path(
        "people/<int:person_id>/absence-case/",
        views_absence.absence_open,
        name="absence_open",
    ),
    path(
        "absence-cases/<int:case_id>/decide/",
        views_absence.absence_decide,
        name="absence_decide",
    ),
    path("orgs/<int:org_id>/talks/", views_absence.talk_list, name="talks"),
    path("orgs/<int:org_id>/talks/new/", views_absence.talk_create, name="talk_create"),
    # Calendar and files.
    path("orgs/<int:org_id>/calendar/", views_calendar.calendar, name="calendar"),
    path("orgs/<int:org_id>/calendar.ics", views_calendar.calendar_ics, name="calendar_ics"),
    path("<int:pk>/minutes.pdf", views_files.minutes_pdf, name="minutes_pdf"),
    path("orgs/<int:org_id>/register.xlsx", views_files.register_xlsx, name="register_xlsx"),
]
