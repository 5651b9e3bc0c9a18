"""The unread badge in ``base.html``'s menu (``unread_notifications``).

Lazy: the count is queried only when a template shows it (the menu of a signed-in user),
never for a page without the menu."""

from django.utils.functional import SimpleLazyObject

from dangwu.notifications.selectors import unread_count


def unread(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user.pk))}
