"""Placeholder: being written (issue #3)."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


import_upload = import_template = _todo
