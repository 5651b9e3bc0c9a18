"""Forms of the thought-report pages: they parse the request, the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReportForm(forms.Form):
    submitted_on = forms.DateField(label=_("提交日期"), widget=DATE_WIDGET)
    title = forms.CharField(label=_("标题"), max_length=200, required=False)
    text = forms.CharField(
        label=_("汇报内容"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("填写内容，或上传手写汇报的扫描件，二者至少其一。"),
    )
    upload = forms.FileField(
        label=_("附件（PDF、JPEG或PNG，不超过10MB）"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("评阅意见"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
