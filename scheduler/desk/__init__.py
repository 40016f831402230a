"""The desk's own knowledge and the library's numbers, without Flask.

``inquiries`` logs what first-line staff answer (idempotent by the browser's UUID),
``privacy`` purges their free text, ``directory`` and ``routines`` hold the actors the
desk refers to and the routine matrix, ``campaigns`` the question inventories,
``statistics`` counts inquiries, and ``demand_suggestions`` turns those counts into
demand rules for the roster set-up. Every use case takes the session and the acting
person, and checks the person's role in the library through :mod:`scheduler.access`.
"""
