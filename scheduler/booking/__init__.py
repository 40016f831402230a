"""Use cases for patrons and librarians (no Flask here).

Book a librarian: availability, free slots, appointments, reminders. Drop-in sessions:
series, registration, capacity and waitlist. Use cases take the database session and the
acting person (if any) explicitly; they flush and never commit. The request (or the CLI
command) commits once.
"""
