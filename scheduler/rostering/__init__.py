"""The bridge between the database and the roster engine (no Flask).

Turns points, demand, the first-line pool, absences, appointments and drop-ins into a
solver ``Problem``, runs the solver as a background job and stores its roster.
"""
