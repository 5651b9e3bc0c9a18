"""Reading a user's notifications. A user sees only their own: the scope's ``user_id``."""

from __future__ import annotations

from django.db.models import QuerySet

from dangwu.core.errors import NotFound
from dangwu.core.scope import Scope
from dangwu.notifications.models import Notification


def notification_list(scope: Scope, *, unread_only: bool = False) -> QuerySet[Notification]:
    """The inbox, newest first (nothing for an anonymous scope)."""
    if scope.user_id is None:
        return Notification.objects.none()
    qs = Notification.objects.filter(user_id=scope.user_id)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def notification_get_for(scope: Scope, notification_id: int) -> Notification:
    n = notification_list(scope).filter(pk=notification_id).first()
    if n is None:
        raise NotFound()
    return n


def unread_count(user_id: int | None) -> int:
    """The badge in the menu: one indexed count."""
    if user_id is None:
        return 0
    return Notification.objects.filter(user_id=user_id, read_at__isnull=True).count()
