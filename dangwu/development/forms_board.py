"""The filters of the to-do list and the findings report (GET forms). The branch choices
are the organizations below the page's organization, read once by the view."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.utils.translation import gettext_lazy as _

from dangwu.core.findings import Severity
from dangwu.development.board import SEVERITY_ZH
from dangwu.development.choices import EntrySource
from dangwu.orgs.models import Organization


class BranchFilterForm(forms.Form):
    branch = forms.TypedChoiceField(label=_("党支部"), required=False, coerce=int, empty_value=None)

    def __init__(self, data=None, *, branches: Sequence[Organization] = ()):
        super().__init__(data)
        self.branches = {o.pk: o for o in branches}
        self.fields["branch"].choices = [
            ("", _("全部党支部")),
            *((o.pk, o.name) for o in branches),
        ]
        if not branches:
            del self.fields["branch"]

    def clean_branch(self) -> Organization | None:
        pk = self.cleaned_data.get("branch")
        return self.branches[pk] if pk is not None else None


class TodoFilterForm(BranchFilterForm):
    overdue = forms.BooleanField(label=_("只看已逾期"), required=False)


SEVERITY_CHOICES = [("", _("全部等级"))] + [(str(s), SEVERITY_ZH[s]) for s in Severity]


class AuditFilterForm(BranchFilterForm):
    severity = forms.ChoiceField(label=_("严重程度"), required=False, choices=SEVERITY_CHOICES)
    code = forms.RegexField(
        label=_("规则编号"),
        required=False,
        max_length=32,
        regex=r"^[A-Z0-9-]+$",
        error_messages={"invalid": _("规则编号只能包含大写字母、数字和连字符。")},
    )
    source = forms.ChoiceField(
        label=_("来源"),
        required=False,
        choices=[("", _("全部记录")), (EntrySource.IMPORT, _("含历史导入步骤的记录"))],
    )
    person = forms.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput
    )

    def show_codes(self, codes: Sequence[str]) -> None:
        """Offer the codes found (and the one asked for) in the rule select."""
        asked = self.cleaned_data.get("code") if hasattr(self, "cleaned_data") else ""
        shown = sorted({*codes, *([asked] if asked else [])})
        self.fields["code"].widget = forms.Select(
            choices=[("", _("全部规则")), *((c, c) for c in shown)]
        )
