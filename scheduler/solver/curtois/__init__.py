"""The Curtois-Qu staff scheduling benchmark (Instance1..Instance24).

``instance`` holds the typed model of an instance, ``reader`` parses the published text
format, ``roster`` reads and writes rosters (the issue-8 JSON and the site's tab-separated
grid) and ``evaluate`` re-scores a roster exactly, independent of any solver model
(``python -m scheduler.solver.curtois.evaluate INSTANCE ROSTER``).

This file deliberately imports nothing: running ``evaluate`` with ``python -m`` must not
find that module already imported by its package.
"""
