"""Book a librarian: availability rules, free slots, appointments, reminders (no Flask).

A librarian's weekly windows and one-off exceptions (``rules``) become free slots
(``availability`` on plain values, ``slots`` from the database); a patron books one of
them (``book``), is told by e-mail (``notices``) and reminded the day before
(``reminders``). ``queries`` holds the read side of the pages.
"""
