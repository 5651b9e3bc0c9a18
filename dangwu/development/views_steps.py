"""Placeholder: being written (issue #3)."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


person = step_form = entry_detail = file_upload = file_download = _todo
