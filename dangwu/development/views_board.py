"""Placeholder: being written (issue #3)."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


home = board = todo = audit = audit_xlsx = _todo
