"""The historical import of development records (issue #3 item 7): the workbook layout
(``columns``), the readers (``xlsx``, ``jsonfiles``), the roll lookups (``roll``) and the
report (``report``). The service is ``development.services.imports``."""

from dangwu.development.imports.report import ImportProblem, ImportResult

__all__ = ["ImportProblem", "ImportResult"]
