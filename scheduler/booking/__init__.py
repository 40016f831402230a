"""Book a librarian: availability, free slots, appointments, reminders (no Flask here).

Use cases take the database session, the acting person (if any) and a
:class:`~scheduler.booking.context.BookingContext` explicitly; they flush and never
commit. The request (or the CLI command) commits once.
"""
