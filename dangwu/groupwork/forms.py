"""Forms of the group leader's pages: they parse the request into typed values, nothing
more. What a value means (a due date in the past, a member outside the group, a summary
already submitted) is the services' to say; a view puts their ``DomainError`` beside the
field with ``core.web.show_domain_error``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dangwu.groupwork.models import NoteAspect
from dangwu.meetings.periods import Period

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TaskForm(forms.Form):
    title = forms.CharField(label=_("任务"), max_length=200)
    assignee = forms.TypedChoiceField(label=_("承担人"), coerce=int)
    due_on = forms.DateField(label=_("完成期限"), widget=DATE_WIDGET)
    detail = forms.CharField(
        label=_("要求"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", "—")] + [(p.pk, p.name) for p in members]


class TaskDoneForm(forms.Form):
    done_on = forms.DateField(label=_("完成日期"), widget=DATE_WIDGET)
    result = forms.CharField(
        label=_("完成情况"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class TaskCheckForm(forms.Form):
    note = forms.CharField(label=_("检查意见"), max_length=300, required=False)


class NoteForm(forms.Form):
    aspect = forms.ChoiceField(label=_("方面"), choices=NoteAspect.choices)
    noted_on = forms.DateField(label=_("了解日期"), widget=DATE_WIDGET)
    text = forms.CharField(label=_("情况"), widget=forms.Textarea(attrs={"rows": 4}))


class OpinionForm(forms.Form):
    from_whom = forms.CharField(
        label=_("反映人"), max_length=100, help_text=_("如：某某小区居民、学生家长、老职工")
    )
    received_on = forms.DateField(label=_("收集日期"), widget=DATE_WIDGET)
    content = forms.CharField(label=_("意见和要求"), widget=forms.Textarea(attrs={"rows": 4}))


class OpinionReportForm(forms.Form):
    reported_on = forms.DateField(label=_("向支部反映日期"), widget=DATE_WIDGET)


class OpinionResolveForm(forms.Form):
    resolved_on = forms.DateField(label=_("办结日期"), widget=DATE_WIDGET)
    follow_up = forms.CharField(label=_("办理情况"), widget=forms.Textarea(attrs={"rows": 4}))


class SummaryDraftForm(forms.Form):
    """Which period to sum up: a month, a quarter or a year, by its label (2026-10,
    2026-Q3, 2026); the service reads the label with ``Period.parse``."""

    period = forms.ChoiceField(label=_("期间"))

    def __init__(self, *args, periods=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(p.label, p.zh) for p in periods]
        # Re-drafting an older period from its summary page posts that period's label.
        posted = (self.data.get("period") or "") if self.is_bound else ""
        if posted and posted not in {c[0] for c in choices}:
            try:
                p = Period.parse(posted)
            except ValueError:
                pass
            else:
                choices.append((p.label, p.zh))
        self.fields["period"].choices = choices


class SummaryTextForm(forms.Form):
    text = forms.CharField(label=_("总结"), widget=forms.Textarea(attrs={"rows": 14}))
