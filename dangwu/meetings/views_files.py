"""Placeholder: replaced by the real views."""

from django.http import Http404


def minutes_pdf(request, *args, **kwargs):
    raise Http404


def register_xlsx(request, *args, **kwargs):
    raise Http404
