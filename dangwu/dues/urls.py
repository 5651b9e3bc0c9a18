"""Dues pages and files. Views live in three modules: organization pages
(``views_org``), a member's own dues (``views_person``) and downloads/imports
(``views_files``)."""

from django.urls import path

from dangwu.dues import views_files, views_org, views_person

app_name = "dues"
urlpatterns = [
    path("", views_org.dues_home, name="home"),
    # An organization: collection sheet, year summary, arrears, run, hand-over.
    path("orgs/<int:org_id>/collect/", views_org.collection_sheet, name="sheet"),
    path("orgs/<int:org_id>/summary/", views_org.org_summary, name="summary"),
    path("orgs/<int:org_id>/arrears/", views_org.arrears, name="arrears"),
    path("orgs/<int:org_id>/assess/", views_org.assessment_run, name="assess"),
    path("orgs/<int:org_id>/remit/", views_org.remittance_record, name="remit"),
    path("orgs/<int:org_id>/unbased/", views_org.unbased, name="unbased"),
    path("arrears-cases/<int:case_id>/decide/", views_org.arrears_decide, name="arrears_decide"),
    # One member.
    path("me/", views_person.my_dues, name="me"),
    path("people/<int:person_id>/", views_person.person_dues, name="person"),
    path("people/<int:person_id>/pay/", views_person.payment_record, name="pay"),
    path("people/<int:person_id>/voluntary/", views_person.voluntary_record, name="voluntary"),
    path("people/<int:person_id>/base/", views_person.base_set, name="base"),
    path("people/<int:person_id>/quarterly/", views_person.quarterly_consent, name="quarterly"),
    path("people/<int:person_id>/arrears-case/", views_person.arrears_open, name="arrears_open"),
    path("entries/<int:entry_id>/reverse/", views_person.entry_reverse, name="reverse"),
    # Files.
    path("orgs/<int:org_id>/collect.xlsx", views_files.sheet_xlsx, name="sheet_xlsx"),
    path("orgs/<int:org_id>/collect.pdf", views_files.sheet_pdf, name="sheet_pdf"),
    path("orgs/<int:org_id>/summary.xlsx", views_files.summary_xlsx, name="summary_xlsx"),
    path("orgs/<int:org_id>/bases/import/", views_files.base_import, name="base_import"),
    path("orgs/<int:org_id>/bases/template.xlsx", views_files.base_template, name="base_template"),
    path("people/<int:person_id>/dues.xlsx", views_files.person_xlsx, name="person_xlsx"),
]
