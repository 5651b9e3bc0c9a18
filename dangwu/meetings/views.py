"""Placeholder: replaced by the real views."""

from django.http import Http404


def meetings_home(request, *args, **kwargs):
    raise Http404


def my_meetings(request, *args, **kwargs):
    raise Http404


def meeting_list(request, *args, **kwargs):
    raise Http404


def meeting_create(request, *args, **kwargs):
    raise Http404


def meeting_detail(request, *args, **kwargs):
    raise Http404


def meeting_edit(request, *args, **kwargs):
    raise Http404


def meeting_notice(request, *args, **kwargs):
    raise Http404


def meeting_cancel(request, *args, **kwargs):
    raise Http404


def attendance_record(request, *args, **kwargs):
    raise Http404


def minutes_record(request, *args, **kwargs):
    raise Http404


def minutes_approve(request, *args, **kwargs):
    raise Http404


def signin_open(request, *args, **kwargs):
    raise Http404


def leave_request(request, *args, **kwargs):
    raise Http404


def leave_decide(request, *args, **kwargs):
    raise Http404


def resolution_add(request, *args, **kwargs):
    raise Http404


def file_upload(request, *args, **kwargs):
    raise Http404


def file_download(request, *args, **kwargs):
    raise Http404


def signin(request, *args, **kwargs):
    raise Http404
