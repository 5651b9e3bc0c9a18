"""Placeholder: being written (replace every view below)."""

from django.http import Http404


def my_dues(request, **kwargs):
    raise Http404


def person_dues(request, **kwargs):
    raise Http404


def payment_record(request, **kwargs):
    raise Http404


def voluntary_record(request, **kwargs):
    raise Http404


def base_set(request, **kwargs):
    raise Http404


def quarterly_consent(request, **kwargs):
    raise Http404


def arrears_open(request, **kwargs):
    raise Http404


def entry_reverse(request, **kwargs):
    raise Http404
