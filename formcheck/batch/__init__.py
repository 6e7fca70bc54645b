"""Many recordings at once: ``formcheck batch`` on a local process pool or on Ray (docs/batch.md).

``inputs`` turns files, folders and CSV manifests into recordings, ``job``
analyses one recording (the same function in every engine), ``local`` and
``ray_engine`` run jobs, ``runner`` decides what is left to do and records
results, ``overview`` writes ``index.html`` and ``sessions.csv``.
"""
