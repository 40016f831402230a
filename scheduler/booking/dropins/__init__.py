"""Drop-in sessions and events: plan them, sign up, waitlists, notices (no Flask).

Staff describe a session (``details``) and when it happens (``recurrence``), and
create, edit, copy or cancel it (``sessions``); patrons sign up and cancel
(``registrations``) while ``waitlist`` keeps the places under a row lock. ``queries``
lists sessions with head counts, ``notices`` writes the e-mails, ``export`` the CSV,
``purge`` forgets registrants after the retention period.
"""
