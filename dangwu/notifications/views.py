"""The inbox: a user's reminders, newest first; mark one or all read (POST).

Only one's own notifications exist for a user: another user's answers 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dangwu.core.web import paginate, scoped
from dangwu.notifications import selectors, services


@require_GET
@scoped
def inbox(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("show") == "unread"
    qs = selectors.notification_list(request.scope, unread_only=unread_only)
    page, query = paginate(request, qs)
    return render(
        request,
        "notifications/inbox.html",
        {
            "page_obj": page,
            "query": query,
            "unread_only": unread_only,
            "unread_total": selectors.unread_count(request.scope.user_id),
        },
    )


@require_POST
@scoped
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark read; with ``open=1`` go on to the thing the reminder is about."""
    n = services.notification_mark_read(actor=request.user, notification_id=pk)
    if (
        request.POST.get("open")
        and n.url
        and url_has_allowed_host_and_scheme(
            n.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return redirect(n.url)
    return redirect("notifications:inbox")


@require_POST
@scoped
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.notification_mark_all_read(actor=request.user)
    if count:
        messages.success(request, _("已将%(n)s条提醒标为已读。") % {"n": count})
    return redirect("notifications:inbox")
