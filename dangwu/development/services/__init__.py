"""Every write of development records, one module per intention group:

- ``common``: the cache of the rules on a record (``record_refresh``);
- ``steps``: recording a step (the live workflow), exceptions, files, status moves;
- ``reports``: thought reports and comments;
- ``imports``: the historical import (``.xlsx`` and timeline JSON).
"""
