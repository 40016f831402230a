"""E-mail: written in the reader's language, stored with the change that causes it, sent
by a job after the commit.

``letter`` builds a message (language, greeting, lines, calendar invitations,
signature); ``outbox`` stores it with the job that sends it, and forgets old ones;
``delivery`` is that job: a file in ``instance/outbox/`` by default, SMTP when
``MAIL_SERVER`` is set. A failure to send never breaks the request that caused the
message: sending is a background job with retries, and the row records what happened.
"""
