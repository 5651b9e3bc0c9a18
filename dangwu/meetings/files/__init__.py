"""Files of organizational life: the calendar (.ics), the printable minutes (PDF) and the
meetings register (.xlsx). Each module builds bytes; the views in ``views_calendar`` and
``views_files`` only authorize, parse parameters and answer."""
