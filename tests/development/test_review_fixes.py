"""Regressions found in review: an approving organization outside the branch's line, a
huge id in a URL, the plan of a committee, a group leader's links, a missing file, a
finding about no step."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile

from dangwu.core.errors import InvalidInput
from dangwu.development.models import StepEntry, StepFile
from dangwu.development.services.steps import step_record
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 22)
READY = {
    "application": {"date": "2024-09-01"},
    "application_talk": {"date": "2024-09-10"},
    "activist": {"date": "2025-03-10", "recommended_by": "party_members"},
    "activist_filing": {"date": "2025-03-12"},
    "contacts_assigned": {"date": "2025-03-10", "people": [{"status": "full"}]},
    "activist_assessments": [{"date": "2025-09-01"}, {"date": "2026-03-01"}],
    "candidate": {"date": "2026-03-20"},
    "candidate_filing": {"date": "2026-03-21"},
    "introducers": {"date": "2026-03-20", "people": [{"status": "full"}, {"status": "full"}]},
    "political_review": {"date": "2026-04-01", "passed": True},
    "training": {"start": "2026-04-10", "end": "2026-04-12", "days": 3, "hours": 24},
    "committee_review": {"date": "2026-05-06"},
    "publicity": {"start": "2026-05-07", "working_days": 5},
}


@pytest.fixture
def ma(tree):
    p = factories.person(
        tree.branch,
        name="马候选",
        status="candidate",
        birth_date=dt.date(2003, 1, 1),
        group=tree.group,
    )
    factories.development(p, {"steps": READY}, today=TODAY)
    return p


def test_an_approving_organization_outside_the_branchs_line_is_refused(tree, worker, ma):
    other = factories.org(None, "basic_committee", "另一党委", approval_authority=True)
    for org in (other, tree.sibling):
        with pytest.raises(InvalidInput) as exc:
            step_record(
                actor=worker,
                person=ma,
                step="pre_review",
                data={"date": dt.date(2026, 5, 20), "approving_org": org},
                today=TODAY,
            )
        assert exc.value.fields["approving_org"] == ["办理的党组织不存在或不是本支部的上级组织。"]
    assert not StepEntry.objects.filter(step="pre_review").exists()
    entry = step_record(
        actor=worker,
        person=ma,
        step="pre_review",
        data={"date": dt.date(2026, 5, 20), "approving_org": tree.committee},
        today=TODAY,
    )
    assert (entry.approving_org, entry.acting_org) == (tree.committee, "basic_committee")


@pytest.mark.parametrize(
    "url",
    [
        "/development/person/99999999999999999999/",
        "/development/person/99999999999999999999/reports/",
        "/development/person/99999999999999999999/sheet.pdf",
        "/development/person/99999999999999999999/step/candidate/",
        "/development/file/99999999999999999999/",
    ],
)
def test_a_huge_id_is_404(client, worker, url):
    client.force_login(worker)
    assert client.get(url).status_code == 404


def test_a_huge_person_filter_on_the_audit_is_not_an_error(client, tree, worker):
    client.force_login(worker)
    response = client.get(f"/development/org/{tree.branch.pk}/audit/?person=99999999999999999999")
    assert response.status_code == 200


@pytest.mark.parametrize("org", ["committee", "college", "branch"])
def test_the_plan_of_a_committee_and_a_general_branch(client, tree, viewers, org):
    client.force_login(viewers["ancestor"])
    url = f"/development/org/{getattr(tree, org).pk}/plan/"
    assert client.get(url).status_code == 200
    assert client.get(f"/development/org/{tree.group.pk}/plan/").status_code == 404


def test_a_group_leader_opens_the_timeline_of_the_groups_people(client, tree, ma):
    leader = factories.user_with_role("gl", tree.group, kind="group_leader")
    other = factories.org(tree.branch, "party_group", "第二党小组")
    other_leader = factories.user_with_role("gl2", other, kind="group_leader")
    client.force_login(leader)
    assert client.get(f"/development/person/{ma.pk}/").status_code == 200
    assert client.get(f"/development/person/{ma.pk}/sheet.pdf").status_code in (200, 503)
    client.force_login(other_leader)
    assert client.get(f"/development/person/{ma.pk}/").status_code == 404


def test_a_missing_file_is_404_not_an_error(client, worker, ma):
    entry = StepEntry.objects.get(record__person=ma, step="candidate")
    f = StepFile.objects.create(
        entry=entry, title="扫描件", content_type="application/pdf", size=4, uploaded_by=worker
    )
    f.file.save("gone.pdf", ContentFile(b"%PDF"))
    f.file.storage.delete(f.file.name)
    client.force_login(worker)
    assert client.get(f"/development/file/{f.pk}/").status_code == 404


def test_a_missing_thought_report_is_shown_on_the_person_page(client, worker, ma):
    entry = StepEntry.objects.filter(record__person=ma)
    assert entry.exists()
    from dangwu.development.models import ThoughtReport

    ThoughtReport.objects.create(
        record=ma.development, submitted_on=dt.date(2024, 10, 1), text="思想汇报"
    )
    from dangwu.development.services.common import record_refresh

    record_refresh(ma.development, today=TODAY)
    client.force_login(worker)
    page = client.get(f"/development/person/{ma.pk}/").content.decode()
    assert "DEV-THOUGHT-REPORT" in page
