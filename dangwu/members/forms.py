"""Forms of the member pages: they parse the request into typed values, nothing more.

Checks of the values themselves (ID number, phone, dates against each other, MEM-STATUS)
belong to ``members.validation`` and the services; a view puts their ``DomainError`` beside
the field with ``core.web.domain_errors_to_form``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from dangwu.core.clock import today
from dangwu.core.ethnicities import ETHNICITY_CHOICES
from dangwu.members.choices import (
    DuesCategory,
    Education,
    LeaveKind,
    Occupation,
    Sex,
    Status,
)
from dangwu.orgs.models import Organization

BLANK = [("", "—")]
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Statuses a new record may start at (a person imported mid-way may arrive at any open stage).
START_STATUSES = [
    (s.value, s.label)
    for s in (Status.APPLICANT, Status.ACTIVIST, Status.CANDIDATE, Status.PROBATIONARY, Status.FULL)
]
MEMBER_STATUS_CHOICES = [(s.value, s.label) for s in (Status.PROBATIONARY, Status.FULL)]


def _date(label, *, required: bool = False, help_text: str = "", initial=None) -> forms.DateField:
    return forms.DateField(
        label=label, required=required, widget=DATE_WIDGET, help_text=help_text, initial=initial
    )


def _valid_days() -> forms.IntegerField:
    # The range is REL-LETTER's (the service says so in Chinese); the widget only hints it.
    cfg = settings.DANGWU
    return forms.IntegerField(
        label=_("有效期（天）"),
        initial=cfg["LETTER_VALID_DAYS_DEFAULT"],
        widget=forms.NumberInput(attrs={"min": 1, "max": cfg["LETTER_VALID_DAYS_MAX"]}),
        help_text=_("1至%(max)s天。") % {"max": cfg["LETTER_VALID_DAYS_MAX"]},
    )


class OrgChoiceField(forms.ChoiceField):
    """A choice among given organizations, cleaned to the ``Organization`` itself.

    Choices may be grouped (``[(branch name, [(pk, group name), …]), …]``); anything not
    offered is refused with Django's own message, so a forged pk never reaches a service.
    """

    def __init__(self, *, orgs: Iterable[Organization] = (), empty_label=None, **kwargs):
        super().__init__(**kwargs)
        self.set_orgs(orgs, empty_label=empty_label)

    def set_orgs(self, orgs, *, grouped=None, empty_label=None, label=None) -> None:
        orgs = list(orgs)
        self._by_pk = {str(o.pk): o for o in orgs}
        label = label or (lambda o: o.name)
        choices = [("", empty_label)] if empty_label is not None else []
        if grouped is not None:
            choices += grouped
        else:
            choices += [(str(o.pk), label(o)) for o in orgs]
        self.choices = choices

    def clean(self, value):
        value = super().clean(value)
        return self._by_pk.get(str(value)) if value not in (None, "") else None


def org_label_with_code(org: Organization) -> str:
    return f"{org.name}（{org.code}）"


def groups_by_branch(branches: Iterable[Organization], groups: Iterable[Organization]):
    """Party groups as ``<optgroup>``s under the name of their branch."""
    names = {b.path: b.name for b in branches}
    out: dict[str, list[tuple[str, str]]] = {}
    for g in groups:
        branch_name = names.get(g.path[: -Organization.steplen], "")
        out.setdefault(branch_name, []).append((str(g.pk), g.name))
    return list(out.items())


# --- the member list --------------------------------------------------------------------


class PersonSearchForm(forms.Form):
    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=50,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("姓名、拼音或首字母，如 zgf"),
                "autocomplete": "off",
            }
        ),
    )
    status = forms.ChoiceField(
        label=_("政治面貌"), required=False, choices=[("", _("全部政治面貌")), *Status.choices]
    )
    org = OrgChoiceField(label=_("党组织"), required=False)
    inactive = forms.BooleanField(label=_("含不在册人员"), required=False)

    def __init__(self, *args, orgs: Iterable[Organization] = (), **kwargs):
        super().__init__(*args, **kwargs)
        orgs = list(orgs)
        # Depth shown by indentation: the tree is already in path order.
        top = min((o.depth for o in orgs), default=1)
        self.fields["org"].set_orgs(
            orgs,
            empty_label=_("全部党组织"),
            label=lambda o: "　" * (o.depth - top) + o.name,
        )
        self.has_orgs = bool(orgs)

    def filters(self) -> dict:
        """The selector's keyword arguments; a value that does not parse is left out."""
        data: dict = {}
        if self.is_bound:
            self.is_valid()
            data = self.cleaned_data
        return {
            "q": data.get("q") or "",
            "status": data.get("status") or "",
            "org": data.get("org"),
            "active": None if data.get("inactive") else True,
        }


# --- a person's own fields ----------------------------------------------------------------


class PersonFieldsForm(forms.Form):
    """The fields of ``services.PERSON_FIELDS``; the service validates them together."""

    # Not required here: the service reports a missing name together with every other
    # problem of the record, instead of one round trip per mistake.
    name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    id_number = forms.CharField(
        label=_("公民身份号码"),
        required=False,
        max_length=30,
        help_text=_("18位；出生日期和性别可由号码带出。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    sex = forms.ChoiceField(label=_("性别"), required=False, choices=BLANK + Sex.choices)
    birth_date = _date(_("出生日期"))
    ethnicity = forms.ChoiceField(label=_("民族"), choices=ETHNICITY_CHOICES, initial="01")
    phone = forms.CharField(
        label=_("联系电话"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    education = forms.ChoiceField(
        label=_("学历"), required=False, choices=BLANK + Education.choices
    )
    occupation = forms.ChoiceField(
        label=_("工作岗位"), required=False, choices=BLANK + Occupation.choices
    )
    dues_category = forms.ChoiceField(
        label=_("党费缴纳类别"), required=False, choices=BLANK + DuesCategory.choices
    )
    work_unit = forms.CharField(label=_("工作单位或班级"), required=False, max_length=100)
    league_member = forms.BooleanField(label=_("共青团员"), required=False)
    applied_on = _date(_("申请入党日期"))
    admission_date = _date(_("入党日期"), help_text=_("支部大会通过接收为预备党员之日。"))
    full_since = _date(_("转正日期"))

    person_fields = (
        "name",
        "sex",
        "ethnicity",
        "birth_date",
        "id_number",
        "phone",
        "education",
        "occupation",
        "dues_category",
        "work_unit",
        "league_member",
        "applied_on",
        "admission_date",
        "full_since",
    )

    def person_data(self) -> dict:
        data = {f: self.cleaned_data.get(f) for f in self.person_fields}
        for f in ("sex", "education", "occupation", "dues_category", "work_unit", "phone"):
            data[f] = data[f] or ""
        data["sex"] = data["sex"] or None
        return data


class PersonEditForm(PersonFieldsForm):
    """Editing: an empty ID-number box keeps the number on record (it is never shown here)."""

    def __init__(self, *args, masked_id: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if masked_id:
            field = self.fields["id_number"]
            field.widget.attrs["placeholder"] = masked_id
            field.help_text = _("当前号码 %(masked)s；留空表示不修改。") % {"masked": masked_id}

    def person_data(self) -> dict:
        data = super().person_data()
        if not (data.get("id_number") or "").strip():
            data.pop("id_number")
        return data


class _PlacementMixin:
    """Branch and party group among those the user may edit."""

    def set_placement(self, branches, groups) -> None:
        branches, groups = list(branches), list(groups)
        self.fields["branch"].set_orgs(branches, empty_label="—")
        self.fields["group"].set_orgs(
            groups, grouped=groups_by_branch(branches, groups), empty_label=_("不编入党小组")
        )


class PersonCreateForm(_PlacementMixin, PersonFieldsForm):
    branch = OrgChoiceField(label=_("所在党支部"))
    group = OrgChoiceField(label=_("所在党小组"), required=False)
    status = forms.ChoiceField(label=_("政治面貌"), choices=START_STATUSES)
    status_since = _date(_("当前状态起始日期"), required=True, initial=today)
    joined_on = _date(_("编入党支部日期"), help_text=_("留空则与当前状态起始日期相同。"))

    field_order = [
        "name",
        "id_number",
        "sex",
        "birth_date",
        "branch",
        "group",
        "status",
        "status_since",
        "joined_on",
    ]

    def __init__(self, *args, branches=(), groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.set_placement(branches, groups)


# --- status, group ------------------------------------------------------------------------


class StatusChangeForm(forms.Form):
    # Moves on the way in (activist … full, cancellation) go through the development steps.
    status = forms.ChoiceField(
        label=_("新的政治面貌"),
        choices=[
            (s.value, s.label)
            for s in (
                Status.SUSPENDED,
                Status.LEFT,
                Status.DECEASED,
                Status.FULL,
                Status.PROBATIONARY,
            )
        ],
        help_text=_(
            "停止党籍、出党、去世，以及停止党籍后恢复党籍（正式党员或预备党员）在此登记；"
            "确定积极分子、发展对象、接收预备党员、转正、取消预备党员资格请在发展党员流程中登记。"
        ),
    )
    effective_on = _date(_("生效日期"), required=True, initial=today)
    leave_kind = forms.ChoiceField(
        label=_("出党方式"),
        required=False,
        choices=BLANK + LeaveKind.choices,
        help_text=_("仅在变更为“已出党”时填写。"),
    )
    reason = forms.CharField(
        label=_("说明"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("如支部大会决议、上级批复文号。"),
    )


class GroupAssignForm(forms.Form):
    group = OrgChoiceField(label=_("党小组"), required=False)
    on = _date(_("调整日期"), required=True, initial=today)

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].set_orgs(groups, empty_label=_("不编入党小组"))


# --- transfers ----------------------------------------------------------------------------


class TransferSendForm(forms.Form):
    to_branch = OrgChoiceField(label=_("转入党支部"), help_text=_("本系统内所有在用的党支部。"))
    issued_on = _date(_("开具日期"), required=True, initial=today)
    valid_days = _valid_days()
    reason = forms.CharField(label=_("转接原因"), required=False, max_length=200)

    def __init__(self, *args, branches=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_branch"].set_orgs(branches, empty_label="—", label=org_label_with_code)
        self.fields["valid_days"] = _valid_days()
        self.order_fields(["to_branch", "issued_on", "valid_days", "reason"])


class TransferOutForm(forms.Form):
    destination = forms.CharField(
        label=_("转往党组织"),
        max_length=200,
        error_messages={"required": _("请填写转往的党组织名称。")},
        help_text=_("写全称，如“中共某市某区某街道工作委员会”。"),
    )
    issued_on = _date(_("开具日期"), required=True, initial=today)
    valid_days = _valid_days()
    reason = forms.CharField(label=_("转接原因"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["valid_days"] = _valid_days()
        self.order_fields(["destination", "issued_on", "valid_days", "reason"])


class TransferInForm(_PlacementMixin, PersonFieldsForm):
    origin = forms.CharField(
        label=_("转出党组织"), max_length=200, help_text=_("介绍信上的开具单位。")
    )
    letter_number = forms.CharField(label=_("介绍信编号"), max_length=40)
    issued_on = _date(_("介绍信开具日期"), required=True)
    valid_days = _valid_days()
    received_on = _date(_("接收日期"), required=True, initial=today)
    branch = OrgChoiceField(label=_("转入党支部"))
    group = OrgChoiceField(label=_("转入党小组"), required=False)
    status = forms.ChoiceField(label=_("党员身份"), choices=MEMBER_STATUS_CHOICES)

    field_order = [
        "origin",
        "letter_number",
        "issued_on",
        "valid_days",
        "received_on",
        "branch",
        "group",
        "status",
        "name",
        "id_number",
        "sex",
        "birth_date",
    ]

    def __init__(self, *args, branches=(), groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["valid_days"] = _valid_days()
        self.set_placement(branches, groups)
        self.order_fields(self.field_order)


class ReceiveForm(forms.Form):
    received_on = _date(_("接收日期"), help_text=_("留空为今天。"))
