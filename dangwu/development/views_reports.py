"""Placeholder: being written (issue #3)."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


report_list = report_comment = report_file = me = _todo
