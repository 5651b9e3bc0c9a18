"""Forms of the meeting pages: they parse the request into typed values, nothing more.

What a value means (a kind a party group cannot hold, a leave not approved, a vote
without a quorum) is the services' to say; a view puts their ``DomainError`` beside the
field with ``core.web.show_domain_error``.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dangwu.meetings.choices import AttendanceStatus, FileKind, MeetingKind
from dangwu.meetings.models import Attendance
from dangwu.meetings.services.meetings import MeetingFields, VoteCounts

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
FIRST_YEAR = 2000


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("会议类型"))
    topic = forms.CharField(label=_("主题"), max_length=200)
    date = forms.DateField(label=_("日期"), widget=DATE_WIDGET)
    starts_at = forms.TimeField(label=_("开始时间"), required=False, widget=TIME_WIDGET)
    ends_at = forms.TimeField(label=_("结束时间"), required=False, widget=TIME_WIDGET)
    place = forms.CharField(label=_("地点"), max_length=100, required=False)
    host = PersonChoiceField(label=_("主持人"), queryset=None, required=False)
    recorder = PersonChoiceField(label=_("记录人"), queryset=None, required=False)
    speaker = PersonChoiceField(
        label=_("授课人"), queryset=None, required=False, help_text=_("仅党课填写。")
    )
    agenda = forms.CharField(
        label=_("议程"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    includes_appraisal = forms.BooleanField(
        label=_("同时开展民主评议党员（仅组织生活会）"), required=False
    )

    def __init__(self, *args, kinds, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "—"), *((k.value, k.label) for k in kinds)]
        for name in ("host", "recorder", "speaker"):
            self.fields[name].queryset = people
            self.fields[name].empty_label = "—"

    def meeting_fields(self) -> MeetingFields:
        d = self.cleaned_data
        return MeetingFields(
            kind=d["kind"],
            topic=d["topic"],
            date=d["date"],
            starts_at=d["starts_at"],
            ends_at=d["ends_at"],
            place=d["place"],
            host=d["host"],
            recorder=d["recorder"],
            speaker=d["speaker"],
            agenda=d["agenda"],
            includes_appraisal=d["includes_appraisal"],
        )


def meeting_initial(m) -> dict:
    return {
        "kind": m.kind,
        "topic": m.topic,
        "date": m.date,
        "starts_at": m.starts_at,
        "ends_at": m.ends_at,
        "place": m.place,
        "host": m.host_id,
        "recorder": m.recorder_id,
        "speaker": m.speaker_id,
        "agenda": m.agenda,
        "includes_appraisal": m.includes_appraisal,
    }


class MeetingFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("会议类型"),
        required=False,
        choices=[("", _("全部类型")), *MeetingKind.choices],
    )
    year = forms.IntegerField(
        label=_("年份"),
        required=False,
        min_value=FIRST_YEAR,
        max_value=2100,
        widget=forms.NumberInput(attrs={"placeholder": _("年份")}),
    )


class NoticeForm(forms.Form):
    notice = forms.CharField(
        label=_("会议通知"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5})
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("取消原因"), max_length=90)


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=_("会议记录"), widget=forms.Textarea(attrs={"rows": 12}), max_length=20000
    )


class LeaveRequestForm(forms.Form):
    reason = forms.CharField(label=_("请假事由"), max_length=200)


class LeaveDecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审批"), choices=[("approve", _("批准")), ("refuse", _("不批准"))]
    )


class AttendanceForm(forms.Form):
    """One radio group per person on the list (``p<person_id>``)."""

    CHOICES = [("", _("未登记")), *AttendanceStatus.choices]

    def __init__(self, *args, rows: list[Attendance], **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for a in rows:
            self.fields[f"p{a.person_id}"] = forms.ChoiceField(
                label=a.person.name,
                choices=self.CHOICES,
                required=False,
                widget=forms.RadioSelect,
                initial=a.status,
            )

    def lines(self):
        """(attendance row, its bound field) for the template."""
        return [(a, self[f"p{a.person_id}"]) for a in self.rows]

    def statuses(self) -> dict[int, str]:
        """Only the people whose row was posted: a missing radio group changes nothing."""
        return {
            a.person_id: self.cleaned_data[f"p{a.person_id}"]
            for a in self.rows
            if f"p{a.person_id}" in self.data
        }


class ResolutionForm(forms.Form):
    text = forms.CharField(label=_("决议内容"), widget=forms.Textarea(attrs={"rows": 3}))
    should_attend = forms.IntegerField(
        label=_("应到会有表决权的正式党员"),
        min_value=0,
        help_text=_("除去依规不计入的党员（受留党察看处分等）。"),
    )
    present = forms.IntegerField(label=_("实到会有表决权的正式党员"), min_value=0)
    in_favour = forms.IntegerField(label=_("赞成票"), min_value=0)
    written_in_favour = forms.IntegerField(
        label=_("书面赞成意见"),
        min_value=0,
        initial=0,
        help_text=_("因故不能到会的党员会前正式提交的书面意见。"),
    )
    against = forms.IntegerField(label=_("反对票"), min_value=0, initial=0)
    abstained = forms.IntegerField(label=_("弃权票"), min_value=0, initial=0)

    def votes(self) -> VoteCounts:
        d = self.cleaned_data
        return VoteCounts(
            should_attend=d["should_attend"],
            present=d["present"],
            in_favour=d["in_favour"],
            written_in_favour=d["written_in_favour"],
            against=d["against"],
            abstained=d["abstained"],
        )


class FileForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=FileKind.choices, initial=FileKind.PHOTO)
    upload = forms.FileField(label=_("选择文件"))
