"""Audit helpers: non-model events, and the acting user for simple-history rows."""

from __future__ import annotations

from contextlib import contextmanager

from dangwu.core.models import AuditAction, AuditEvent


def audit_event(*, actor, action: AuditAction, subject: str = "", detail=None, ip=None) -> None:
    """Record an event that changes no model row (export, viewing a full ID number)."""
    AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        subject=subject,
        detail=detail or {},
        ip_address=ip,
    )


def as_actor(instance, actor):
    """Mark who changes ``instance`` so its history row names them (simple-history)."""
    if actor is not None and getattr(actor, "is_authenticated", False):
        instance._history_user = actor
    return instance


@contextmanager
def history_reason(instance, reason: str):
    instance._change_reason = reason
    try:
        yield instance
    finally:
        instance._change_reason = None
