"""Placeholder: being written (replace every view below)."""

from django.http import Http404


def sheet_xlsx(request, **kwargs):
    raise Http404


def sheet_pdf(request, **kwargs):
    raise Http404


def summary_xlsx(request, **kwargs):
    raise Http404


def base_import(request, **kwargs):
    raise Http404


def base_template(request, **kwargs):
    raise Http404


def person_xlsx(request, **kwargs):
    raise Http404
