"""Forms of the development pages: they parse the request into typed values, nothing more.

One dynamic ``StepForm`` builds its fields from ``guidance.STEP_FIELDS`` (the data each
step carries), so the form, the guide beside it and the record sheet agree on what a step
holds. Whether the values break a rule is the services' to say (``step_preview``,
``step_record``); the view puts their ``DomainError`` beside the field it names.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from dangwu.development.choices import ActingOrg, RecommendedBy
from dangwu.development.guidance import PEOPLE_COUNT, field_label

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NUMBER = {"inputmode": "numeric"}
VOTE_FIELDS = ("should_attend", "present", "in_favour", "written_in_favour")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        branch = getattr(obj, "branch", None)
        return f"{obj.name}（{branch.name}）" if branch is not None else obj.name


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        full = obj.get_full_name()
        return f"{full}（{obj.get_username()}）" if full else obj.get_username()


def _field(step: str, name: str, *, settings) -> forms.Field:
    label = field_label(step, name)
    if name in ("date", "approval_date", "end_date"):
        required = name == "date"
        return forms.DateField(label=label, required=required, widget=DATE_WIDGET)
    if name == "recommended_by":
        return forms.ChoiceField(
            label=label,
            required=False,
            choices=[("", "—"), *RecommendedBy.choices],
            help_text=_("党员推荐，或共青团、其他群团组织推优。"),
        )
    if name == "passed":
        return forms.TypedChoiceField(
            label=label,
            choices=[("yes", _("合格")), ("no", _("不合格"))],
            coerce=lambda v: v == "yes",
            widget=forms.RadioSelect,
        )
    if name == "conclusion":
        return forms.CharField(
            label=label,
            required=step in ("political_review", "probation_cancellation"),
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 3}),
        )
    if name == "days":
        return forms.IntegerField(label=label, required=False, min_value=1, max_value=366)
    if name == "hours":
        return forms.DecimalField(
            label=label,
            required=False,
            min_value=Decimal("0.5"),
            max_value=Decimal("9999"),
            decimal_places=1,
            max_digits=5,
        )
    if name == "working_days":
        return forms.IntegerField(
            label=label,
            min_value=1,
            max_value=60,
            initial=settings.publicity_working_days or None,
        )
    if name == "acting_org":
        return forms.ChoiceField(
            label=label,
            required=False,
            choices=[("", "—"), *ActingOrg.choices],
            help_text=_("不选时按所选党组织的类别登记。"),
        )
    if name == "approving_org":
        return forms.ModelChoiceField(
            label=label, queryset=None, required=False, empty_label="—"
        )  # queryset set by the form
    if name == "should_attend":
        return forms.IntegerField(
            label=label,
            min_value=1,
            max_value=32767,
            help_text=_("有表决权的正式党员，除去依规可不计入的人员。"),
        )
    if name in ("present", "in_favour"):
        return forms.IntegerField(label=label, min_value=0, max_value=32767)
    if name == "written_in_favour":
        return forms.IntegerField(
            label=label,
            required=False,
            min_value=0,
            max_value=32767,
            initial=0,
            help_text=_("因故不能到会的有表决权党员会前正式提交的书面赞成意见。"),
        )
    if name == "voters_note":
        return forms.CharField(
            label=label,
            required=False,
            max_length=300,
            help_text=_("如：某某因病不能表达意志，经上级党组织同意不计入。"),
        )
    if name == "months":
        return forms.IntegerField(label=label, min_value=1, max_value=24)
    raise KeyError(name)


class StepForm(forms.Form):
    """The fields of one step (``guidance.STEP_FIELDS``), the people it names and the
    exception (reason and approver) a past fact that breaks a rule needs.

    ``people``: the queryset the pickers choose from (full members); ``approvers``: users
    holding the approval permission on the branch; ``orgs``: the organizations that may
    have acted (the branch's ancestors)."""

    exception_reason = forms.CharField(
        label=_("情况说明"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("补录的历史事实不符合规定时，写明当时的情况和原因。"),
    )
    approver = UserChoiceField(
        label=_("批准人"),
        queryset=None,
        required=False,
        empty_label="—",
        help_text=_("对本支部有审批权限的负责人。"),
    )

    EXCEPTION_FIELDS = ("exception_reason", "approver")

    def __init__(self, *args, guide, people, approvers, orgs=None, settings, **kwargs):
        super().__init__(*args, **kwargs)
        self.guide = guide
        self.people_fields: list[str] = []
        fields: dict[str, forms.Field] = {}
        for name in guide.fields:
            if name in PEOPLE_COUNT:
                low, high = PEOPLE_COUNT[name]
                for i in range(1, high + 1):
                    key = f"{name}_{i}"
                    fields[key] = PersonChoiceField(
                        label=f"{field_label(guide.key, name)}{i}",
                        queryset=people,
                        required=i <= low,
                        empty_label="—",
                    )
                    self.people_fields.append(key)
                continue
            fields[name] = _field(guide.key, name, settings=settings)
            if name == "approving_org":
                fields[name].queryset = orgs
        # The step's own fields first, the exception last.
        exception = {k: self.fields.pop(k) for k in self.EXCEPTION_FIELDS}
        self.fields.update(fields)
        self.fields.update(exception)
        self.fields["approver"].queryset = approvers

    # -- what the services take --------------------------------------------------------------

    def step_data(self) -> dict:
        """The step's values keyed by ``StepEntry`` field names (what ``step_record`` takes)."""
        d = self.cleaned_data
        out = {}
        for name in self.guide.fields:
            if name in PEOPLE_COUNT:
                continue
            value = d.get(name)
            if name in ("recommended_by", "acting_org", "conclusion", "voters_note"):
                value = value or ""
            if name == "written_in_favour" and value is None:
                value = 0
            out[name] = value
        return out

    def people(self) -> list | None:
        """The people named (``None`` for a step that names nobody)."""
        if not self.people_fields:
            return None
        return [self.cleaned_data[k] for k in self.people_fields if self.cleaned_data.get(k)]

    def field_map(self) -> dict[str, str]:
        """Service field names → form fields (``people`` → the first picker)."""
        return {"people": self.people_fields[0]} if self.people_fields else {}

    def exception(self) -> tuple[str, object]:
        return self.cleaned_data.get("exception_reason", ""), self.cleaned_data.get("approver")

    # -- what the template shows ---------------------------------------------------------------

    def step_fields(self):
        return [self[n] for n in self.fields if n not in self.EXCEPTION_FIELDS]

    def exception_fields(self):
        return [self[n] for n in self.EXCEPTION_FIELDS]

    def has_exception_input(self) -> bool:
        return bool(self.data.get("exception_reason") or self.data.get("approver"))

    def clean(self):
        d = super().clean()
        chosen = [d[k] for k in self.people_fields if d.get(k)]
        if len({p.pk for p in chosen}) < len(chosen):
            self.add_error(self.people_fields[-1], _("同一人不能重复选择。"))
        return d

    def posted_date(self) -> dt.date | None:
        """The date as typed, when it reads as a date (for the voting-rights summary of a
        form that does not validate yet)."""
        raw = (self.data.get("date") or "").strip() if self.is_bound else ""
        try:
            return dt.date.fromisoformat(raw) if raw else None
        except ValueError:
            return None


def entry_initial(entry, guide, people_by_role: dict[str, list]) -> dict:
    """The initial values of a ``StepForm`` that corrects ``entry``."""
    initial = {}
    for name in guide.fields:
        if name in PEOPLE_COUNT:
            for i, p in enumerate(people_by_role.get(name, []), start=1):
                initial[f"{name}_{i}"] = p.person_id
            continue
        value = getattr(entry, name if name != "approving_org" else "approving_org_id")
        if name == "passed" and value is not None:
            value = "yes" if value else "no"
        initial[name] = value
    return initial


class FileForm(forms.Form):
    title = forms.CharField(
        label=_("名称"),
        max_length=200,
        required=False,
        help_text=_("如：入党申请书、入党志愿书；不填则使用文件名。"),
    )
    upload = forms.FileField(label=_("选择文件"))
