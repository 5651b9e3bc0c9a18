"""Login and logout are audit events (side effects only; no business decisions here)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from dangwu.core.models import AuditAction, AuditEvent


def _ip(request):
    return request.META.get("REMOTE_ADDR") if request is not None else None


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    AuditEvent.objects.create(actor=user, action=AuditAction.LOGIN, ip_address=_ip(request))


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        AuditEvent.objects.create(actor=user, action=AuditAction.LOGOUT, ip_address=_ip(request))


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    AuditEvent.objects.create(
        action=AuditAction.LOGIN_FAILED,
        subject=str(credentials.get("username", ""))[:100],
        ip_address=_ip(request),
    )
