"""Thought reports (思想汇报, DEV-THOUGHT-REPORT [local]): handing one in, and the contact
person's comment.

Applicants, activists, candidates and probationary members with an open record hand in a
report each quarter, as text or a scan (PDF, JPEG, PNG). The person hands it in themself,
or a party worker (``Perm.DEVELOP`` on the branch) enters a paper one. A contact person named
at the record's ``contacts_assigned`` step comments on it, as may the branch committee
(``Perm.NOTES``) or a party worker (``Perm.DEVELOP``); the comment is signed by the user's
person. Both writes are kept in the report's history with the acting user.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from dangwu.core import clock
from dangwu.core.audit import as_actor
from dangwu.core.dates import zh_date
from dangwu.core.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from dangwu.core.scope import Perm, scope_for
from dangwu.development import selectors_reports as sel
from dangwu.development.choices import RecordState
from dangwu.development.models import DevelopmentRecord, StepEntry, ThoughtReport
from dangwu.development.services.common import record_refresh
from dangwu.development.services.uploads import check_scan
from dangwu.members.models import Person

MAX_REPORT_BYTES = 10 * 1024 * 1024
MAX_TEXT = 20000
MAX_COMMENT = 2000
NOT_REPORTING = "只有入党申请人、入党积极分子、发展对象和预备党员需要提交思想汇报。"
NO_RECORD = "没有进行中的发展党员记录，不能提交思想汇报。"
NO_PERSON = "您的账号没有关联人员档案，不能签署评阅意见。"


def _user(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def check_upload(upload: UploadedFile) -> str:
    """The scan's extension after its type, size and first bytes are checked."""
    return check_scan(upload, max_bytes=MAX_REPORT_BYTES, noun="附件")


def application_date(record: DevelopmentRecord) -> dt.date | None:
    """The application's date on the record, else the person's ``applied_on``."""
    day = (
        StepEntry.objects.filter(record=record, step="application")
        .order_by("seq")
        .values_list("date", flat=True)
        .first()
    )
    return day or record.person.applied_on


def _lock_record(person: Person) -> DevelopmentRecord | None:
    return (
        DevelopmentRecord.objects.select_for_update(of=("self",))
        .select_related("branch", "person__group")
        .filter(person_id=person.pk)
        .first()
    )


@transaction.atomic
def report_submit(
    *,
    actor,
    person: Person,
    submitted_on: dt.date,
    title: str = "",
    text: str = "",
    upload: UploadedFile | None = None,
    today: dt.date | None = None,
) -> ThoughtReport:
    """Hand in a thought report for ``person`` (themself, or a user with EDIT on the
    branch). Text or a scan is required; the date is neither in the future nor before
    the application. Refreshes the record's rule cache."""
    today = today or clock.today()
    scope = scope_for(actor)
    record = _lock_record(person)
    is_self = scope.person_id is not None and scope.person_id == person.pk
    if not is_self:
        branch_path = record.branch.path if record else person.branch.path
        scope.require(branch_path, Perm.DEVELOP)
    if record is None or record.state != RecordState.OPEN:
        raise DomainError(NO_RECORD, code="NO_RECORD")
    if record.person.status not in sel.REPORTING_STATUSES:
        raise DomainError(NOT_REPORTING, code="NOT_REPORTING")
    title, text = (title or "").strip(), (text or "").strip()
    errs: dict[str, list[str]] = {}
    if len(title) > 200:
        errs["title"] = ["标题不能超过200字。"]
    if len(text) > MAX_TEXT:
        errs["text"] = [f"汇报内容不能超过{MAX_TEXT}字，较长的汇报请上传附件。"]
    if not text and upload is None:
        errs["text"] = ["请填写汇报内容或上传附件。"]
    if submitted_on > today:
        errs["submitted_on"] = ["提交日期不能晚于今天。"]
    else:
        applied = application_date(record)
        if applied is not None and submitted_on < applied:
            errs["submitted_on"] = [f"提交日期不能早于递交入党申请书的日期（{zh_date(applied)}）。"]
    if errs:
        raise InvalidInput(next(iter(errs.values()))[0], fields=errs)
    report = ThoughtReport(
        record=record,
        submitted_on=submitted_on,
        title=title,
        text=text,
        recorded_by=_user(actor),
    )
    if upload is not None:
        ext = check_upload(upload)
        upload.name = f"{secrets.token_hex(12)}{ext}"
        report.file = upload
    report.full_clean(exclude=["file"])
    as_actor(report, actor)
    report.save()
    record_refresh(record, today=today)
    return report


@transaction.atomic
def report_comment(
    *, actor, report: ThoughtReport, comment: str, today: dt.date | None = None
) -> ThoughtReport:
    """The comment on a report by a contact person of the record, or a user with NOTES or
    EDIT on the branch; signed by the user's person, dated today. A later comment
    replaces the earlier one (the history keeps both)."""
    today = today or clock.today()
    scope = scope_for(actor)
    r = (
        ThoughtReport.objects.select_for_update(of=("self",))
        .select_related("record__branch", "record__person__group")
        .filter(pk=report.pk)
        .first()
    )
    if r is None:
        raise NotFound()
    record = r.record
    contact = sel.is_contact(record, scope.person_id)
    if not sel.can_comment(scope, record, contact=contact):
        if not (contact or sel.can_read(scope, record)):
            raise NotFound()
        if scope.person_id is None:
            raise InvalidInput(NO_PERSON, fields={"comment": [NO_PERSON]})
        if scope.person_id == record.person_id:
            raise PermissionDenied("不能评阅本人的思想汇报。")
        raise PermissionDenied("只有培养联系人或党支部委员会可以评阅思想汇报。")
    comment = (comment or "").strip()
    if not comment:
        raise InvalidInput("请填写评阅意见。", fields={"comment": ["请填写评阅意见。"]})
    if len(comment) > MAX_COMMENT:
        msg = f"评阅意见不能超过{MAX_COMMENT}字。"
        raise InvalidInput(msg, fields={"comment": [msg]})
    r.comment = comment
    r.commented_by_id = scope.person_id
    r.commented_on = today
    r.full_clean(exclude=["file"])
    as_actor(r, actor)
    r.save()
    return r
