"""``?year=`` that only looks like a number (a superscript digit, 5,000 nines) gets the
same Chinese answer as any bad year, never a server error."""

import pytest
from django.urls import reverse

from tests.members.test_views import texts

pytestmark = pytest.mark.django_db
ODD_YEARS = ["²", "9" * 5000, "２０２６"]


@pytest.mark.parametrize("year", ODD_YEARS, ids=["superscript", "5000-digits", "full-width"])
@pytest.mark.parametrize("page", ["compliance", "rates", "talks"])
def test_a_page_shows_this_year_with_a_message(client, worker, tree, page, year):
    client.force_login(worker)

    response = client.get(reverse(f"meetings:{page}", args=[tree.branch.pk]), {"year": year})

    assert response.status_code == 200
    assert len(texts(response)) == 1
    assert texts(response)[0].startswith("年份应为2000至")


@pytest.mark.parametrize("year", ODD_YEARS, ids=["superscript", "5000-digits", "full-width"])
@pytest.mark.parametrize("download", ["register_xlsx", "calendar_ics"])
def test_a_download_refuses_it_in_chinese(client, worker, tree, download, year):
    client.force_login(worker)

    response = client.get(reverse(f"meetings:{download}", args=[tree.branch.pk]), {"year": year})

    assert response.status_code == 400
    assert "年份应为2000至" in response.content.decode()
