"""Placeholder: being written (replace every view below)."""

from django.http import Http404


def dues_home(request, **kwargs):
    raise Http404


def collection_sheet(request, **kwargs):
    raise Http404


def org_summary(request, **kwargs):
    raise Http404


def arrears(request, **kwargs):
    raise Http404


def assessment_run(request, **kwargs):
    raise Http404


def remittance_record(request, **kwargs):
    raise Http404


def unbased(request, **kwargs):
    raise Http404


def arrears_decide(request, **kwargs):
    raise Http404
