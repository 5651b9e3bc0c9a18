"""Placeholder: replaced by the real views."""

from django.http import Http404


def compliance(request, *args, **kwargs):
    raise Http404


def attendance_rates(request, *args, **kwargs):
    raise Http404


def absence_open(request, *args, **kwargs):
    raise Http404


def absence_decide(request, *args, **kwargs):
    raise Http404


def talk_list(request, *args, **kwargs):
    raise Http404


def talk_create(request, *args, **kwargs):
    raise Http404
