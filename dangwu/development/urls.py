from django.urls import path

import dangwu.core.converters  # noqa: F401 — registers <id:…>
from dangwu.development import (
    views_board,
    views_import,
    views_plan,
    views_reports,
    views_sheet,
    views_steps,
)

app_name = "development"

urlpatterns = [
    # Board, to-do and the findings report of an organization (views_board).
    path("", views_board.home, name="home"),
    path("org/<id:org_id>/", views_board.board, name="board"),
    path("org/<id:org_id>/todo/", views_board.todo, name="todo"),
    path("org/<id:org_id>/audit/", views_board.audit, name="audit"),
    path("org/<id:org_id>/audit.xlsx", views_board.audit_xlsx, name="audit_xlsx"),
    path("org/<id:org_id>/plan/", views_plan.plan_edit, name="plan"),
    # Historical import (views_import).
    path("org/<id:org_id>/import/", views_import.import_upload, name="import"),
    path(
        "org/<id:org_id>/import/template.xlsx",
        views_import.import_template,
        name="import_template",
    ),
    # A person's timeline and the step forms (views_steps).
    path("person/<id:person_id>/", views_steps.person, name="person"),
    path("person/<id:person_id>/step/<slug:step>/", views_steps.step_form, name="step"),
    path("person/<id:person_id>/leaving/", views_plan.leaving_set, name="leaving"),
    path("entry/<id:entry_id>/", views_steps.entry_detail, name="entry"),
    path("entry/<id:entry_id>/files/", views_steps.file_upload, name="file_upload"),
    path("file/<id:file_id>/", views_steps.file_download, name="file"),
    # The printable record sheet (views_sheet).
    path("person/<id:person_id>/sheet.pdf", views_sheet.sheet_pdf, name="sheet"),
    # Thought reports (views_reports).
    path("person/<id:person_id>/reports/", views_reports.report_list, name="reports"),
    path("report/<id:report_id>/comment/", views_reports.report_comment, name="report_comment"),
    path("report/<id:report_id>/file/", views_reports.report_file, name="report_file"),
    path("me/", views_reports.me, name="me"),
]
