"""A small hierarchy of domain errors with stable codes and Chinese messages.

The API turns a ``DomainError`` into ``{"code", "message", "fields"}``; a page shows
the message beside the field named in ``fields``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from dangwu.core.findings import Finding, Severity


class DomainError(Exception):
    """An action the domain refuses; ``code`` is stable (the DOMAIN.md rule code if any)."""

    code = "DOMAIN"
    status = 400

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        fields: Mapping[str, list[str]] | None = None,
        findings: Iterable[Finding] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.fields = {k: list(v) for k, v in (fields or {}).items()}
        self.findings = list(findings)

    def as_dict(self) -> dict:
        out = {"code": self.code, "message": self.message, "fields": self.fields}
        if self.findings:
            out["findings"] = [f.as_dict() for f in self.findings]
        return out


class NotFound(DomainError):
    """Missing or outside the user's scope: the same answer for both."""

    code = "NOT_FOUND"
    status = 404

    def __init__(self, message: str = "记录不存在或您无权查看。") -> None:
        super().__init__(message)


class PermissionDenied(DomainError):
    """Visible, but the user's role does not allow this action."""

    code = "FORBIDDEN"
    status = 403


class InvalidInput(DomainError):
    code = "INVALID"
    status = 422


class RuleViolation(DomainError):
    """An error-level finding blocks the action; the message is the first finding's."""

    status = 422

    def __init__(self, findings: Iterable[Finding], *, field: str | None = None) -> None:
        findings = list(findings)
        blocking = [f for f in findings if f.severity == Severity.ERROR] or findings
        first = blocking[0]
        message = f"{first.message}（{first.citation}）" if first.citation else first.message
        super().__init__(
            message,
            code=first.code,
            fields={field: [message]} if field else None,
            findings=findings,
        )
