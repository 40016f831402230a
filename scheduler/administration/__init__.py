"""Administration use cases: libraries, topics and topic groups, skills (no Flask).

Every function takes the database session and the acting person, refuses anyone but an
administrator (:func:`scheduler.administration.common.require_admin`), checks its input
field by field (:class:`~scheduler.errors.InputError` naming the field, nothing changed)
and flushes; the request commits. Rows that history refers to are deactivated instead of
deleted (:class:`~scheduler.administration.common.Removal` says which and why).
"""
