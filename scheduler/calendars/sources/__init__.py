"""Connected calendars: read a librarian's own calendar (a secret .ics address or a
CalDAV collection) and turn it into busy times that block free slots.

- :mod:`.fetch` and :mod:`.addresses`: HTTP only to public addresses, bounded in time
  and size; :mod:`.caldav_reader`: CalDAV through the ``caldav`` library on that fetcher;
- :mod:`.expand`: iCalendar to busy times (recurrence, zones, free/tentative rules);
- :mod:`.secretbox`: the address and credentials encrypted at rest;
- :mod:`.sync`: the use cases that read a source and replace its busy times.
"""
