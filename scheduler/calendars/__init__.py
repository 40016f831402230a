"""iCalendar (RFC 5545) for feeds and e-mail invitations, built in one place."""

from scheduler.calendars.ical import CalendarEvent, Person, build_calendar, event_uid

__all__ = ["CalendarEvent", "Person", "build_calendar", "event_uid"]
