"""Dues in files: the .xlsx exports, the base template and its all-or-nothing import, and the
printable monthly collection list (PDF).

``workbooks`` writes the exports, ``bases_template`` and ``bases_import`` are the bulk base
update, ``pdf`` renders the collection list with WeasyPrint. Every file is built from the
``dues.selectors`` reads (so a file shows what the page shows) and every download is recorded
as an ``export`` ``AuditEvent``.
"""
