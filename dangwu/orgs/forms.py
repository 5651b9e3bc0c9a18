"""Input forms for the organization pages. They parse and check the shape of the input;
the services decide what is allowed (the rules of the regulations live there)."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from dangwu.core.clock import today
from dangwu.orgs.choices import (
    COMMITTEE_POSTS,
    GROUP_POSTS,
    Category,
    ChosenBy,
    DesignationReason,
    Formation,
    OrgKind,
    PostKind,
)
from dangwu.orgs.models import Organization


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _date_field(label, *, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput, help_text=help_text)


class OrganizationForm(forms.Form):
    """Fields an organization has whatever its place in the tree."""

    name = forms.CharField(label=_("名称"), max_length=100)
    code = forms.CharField(
        label=_("组织编码"), max_length=32, help_text=_("全系统唯一，例如上级编码加序号。")
    )
    category = forms.ChoiceField(label=_("单位类别"), choices=Category.choices)
    formation = forms.ChoiceField(label=_("组建方式"), choices=Formation.choices)
    founded_on = _date_field(_("成立日期"), required=False)
    approval_authority = forms.BooleanField(
        label=_("具有审批预备党员权限"),
        required=False,
        help_text=_("仅基层党委可以具有审批权限。"),
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()


class OrganizationCreateForm(OrganizationForm):
    kind = forms.ChoiceField(label=_("组织类型"))

    field_order = ["kind", "name", "code", "category", "formation", "founded_on"]

    def __init__(self, *args, kinds: list[str], parent: Organization, **kwargs) -> None:
        kwargs.setdefault(
            "initial",
            {"category": parent.category, "kind": kinds[0] if kinds else ""},
        )
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, OrgKind(k).label) for k in kinds]
        if OrgKind.BASIC_COMMITTEE not in kinds:
            del self.fields["approval_authority"]


class OrganizationEditForm(OrganizationForm):
    def __init__(self, *args, organization: Organization, **kwargs) -> None:
        kwargs.setdefault(
            "initial",
            {
                "name": organization.name,
                "code": organization.code,
                "category": organization.category,
                "formation": organization.formation,
                "founded_on": organization.founded_on,
                "approval_authority": organization.approval_authority,
            },
        )
        super().__init__(*args, **kwargs)
        if organization.kind != OrgKind.BASIC_COMMITTEE:
            del self.fields["approval_authority"]

    def changes(self) -> dict:
        return dict(self.cleaned_data)


class CommitteeTermStartForm(forms.Form):
    elected_on = _date_field(_("选举日期"))
    ends_on = _date_field(
        _("任期届满日期"),
        required=False,
        help_text=_("留空则按规定任期自动计算（党支部一般3年，基层党委5年）。"),
    )

    def clean(self):
        data = super().clean()
        elected, ends = data.get("elected_on"), data.get("ends_on")
        if elected and ends and ends <= elected:
            self.add_error("ends_on", _("任期届满日期应晚于选举日期。"))
        return data


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name}（{obj.get_status_display()}）"


class PostAppointForm(forms.Form):
    person = PersonChoiceField(
        label=_("任职人"),
        queryset=None,
        empty_label=_("请选择"),
        error_messages={"invalid_choice": _("请选择本组织的党员。")},
    )
    kind = forms.ChoiceField(label=_("职务"))
    started_on = _date_field(_("任职日期"))
    chosen_by = forms.ChoiceField(label=_("产生方式"), choices=ChosenBy.choices)
    designation_reason = forms.ChoiceField(
        label=_("指定理由"),
        required=False,
        choices=[("", _("（非指定产生时不填）")), *DesignationReason.choices],
    )
    ends_on = _date_field(
        _("任期届满日期"), required=False, help_text=_("留空则与本届委员会任期相同。")
    )
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, organization: Organization, candidates: QuerySet, **kwargs) -> None:
        is_group = organization.kind == OrgKind.PARTY_GROUP
        kwargs.setdefault(
            "initial",
            {
                "started_on": today(),
                "chosen_by": ChosenBy.RECOMMENDED if is_group else ChosenBy.ELECTED,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = candidates
        posts = GROUP_POSTS if is_group else COMMITTEE_POSTS
        self.fields["kind"].choices = [(k.value, k.label) for k in PostKind if k in posts]
        if not is_group:
            del self.fields["designation_reason"]

    def clean(self):
        data = super().clean()
        started, ends = data.get("started_on"), data.get("ends_on")
        if started and ends and ends <= started:
            self.add_error("ends_on", _("任期届满日期应晚于任职日期。"))
        return data


class PostEndForm(forms.Form):
    ended_on = _date_field(_("离任日期"))

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("initial", {"ended_on": today()})
        super().__init__(*args, **kwargs)
