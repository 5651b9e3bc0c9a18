import traceback
import pytest
from django.test import Client
from tests.development.test_review_pages_scratch import world, frozen, HUGE  # noqa

def test_tb(tree, viewers, worker, world):
    c = Client(raise_request_exception=True); c.force_login(worker)
    for url, q in [(f"/development/org/{tree.branch.pk}/audit/", {"person": HUGE}),
                   (f"/development/person/{HUGE}/reports/", {}),
                   (f"/development/person/{HUGE}/sheet.pdf", {}),
                   (f"/development/person/{HUGE}/step/candidate/", {}),
                   (f"/development/person/{HUGE}/", {}),
                   (f"/api/v1/development/people/{HUGE}/timeline", {}),
                   (f"/development/entry/{HUGE}/", {}),
                   (f"/development/report/{HUGE}/file/", {}),
                   ]:
        try:
            r = c.get(url, q); print("OK", r.status_code, url)
        except Exception:
            print("ERR", url, "".join(l for l in traceback.format_exc().splitlines(True) if "/work/main/dangwu" in l or "Error" in l))
