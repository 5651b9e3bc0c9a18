"""Forms of the absence and heart-talk pages: they parse the request, nothing more. What a
value means (a talk with someone who had left, a decision without a reason) is the
services' to say."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dangwu.meetings.choices import AbsenceResolution

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DECISIONS = [
    (r.value, r.label)
    for r in (AbsenceResolution.JUSTIFIED, AbsenceResolution.PROPOSED, AbsenceResolution.RETURNED)
]


class AbsenceDecideForm(forms.Form):
    """Close a LIFE-ABSENT-6 case: which outcome, why, who approved, when."""

    resolution = forms.ChoiceField(label=_("处理结果"), choices=[("", "—"), *DECISIONS])
    reason = forms.CharField(
        label=_("理由或情况说明"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    approved_by = forms.CharField(
        label=_("批准人或批准文件"),
        max_length=200,
        required=False,
        help_text=_("以正当理由办结时必填。"),
    )
    decided_on = forms.DateField(label=_("处理日期"), widget=DATE_WIDGET)


class TalkForm(forms.Form):
    """A heart-to-heart talk: who talked with whom, when, about what."""

    date = forms.DateField(label=_("谈话日期"), widget=DATE_WIDGET)
    person = forms.TypedChoiceField(label=_("谈话人"), coerce=int)
    other = forms.TypedChoiceField(label=_("谈话对象"), coerce=int)
    topic = forms.CharField(label=_("谈话主题"), max_length=200)
    note = forms.CharField(
        label=_("谈话情况"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, people: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "—"), *people]
        self.fields["person"].choices = choices
        self.fields["other"].choices = choices
