"""Placeholder: replaced by the real views."""

from django.http import Http404


def calendar(request, *args, **kwargs):
    raise Http404


def calendar_ics(request, *args, **kwargs):
    raise Http404
