"""Calendar files in the style of what Outlook, Google and Nextcloud publish, with their
quirks, written for these tests (not captured from anyone's calendar).

They cover two DST weekends in Europe/Oslo: spring forward on Sunday 2027-03-28
(02:00 -> 03:00) and fall back on Sunday 2026-10-25 (03:00 -> 02:00).

- Outlook: Windows zone names ("W. Europe Standard Time") with Exchange's VTIMEZONE
  (DTSTART 1601), a "Customized Time Zone", X-MICROSOFT-CDO-BUSYSTATUS (FREE,
  TENTATIVE, OOF), a weekly series with EXDATE and a moved instance (RECURRENCE-ID),
  our own appointment under an Exchange GlobalObjectId, ``DESCRIPTION:\\n``.
- Google: X-WR-TIMEZONE, single events in UTC, a cancelled instance as a separate
  VEVENT with RECURRENCE-ID and STATUS:CANCELLED, all-day events as TRANSPARENT,
  attendees with PARTSTAT (declined, needs action), a daily series with UNTIL and
  EXDATE, our own appointment under its plain UID.
- Nextcloud: SabreDAV's PRODID, STATUS:TENTATIVE, a floating time, an event across
  midnight and the DST change, an all-day event on the 23-hour day, DURATION instead
  of DTEND, RRULE with COUNT and a comma-separated EXDATE.
"""

from __future__ import annotations

import binascii

CRLF = "\r\n"

OSLO_VTIMEZONE = """BEGIN:VTIMEZONE
TZID:Europe/Oslo
X-LIC-LOCATION:Europe/Oslo
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE"""

EXCHANGE_VTIMEZONE = """BEGIN:VTIMEZONE
TZID:{tzid}
BEGIN:STANDARD
DTSTART:16010101T030000
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3
END:DAYLIGHT
END:VTIMEZONE"""


def exchange_uid(uid: str) -> str:
    """``uid`` wrapped as Exchange's GlobalObjectId for a meeting from outside, in hex."""
    data = b"vCal-Uid\x01\x00\x00\x00" + uid.encode() + b"\x00"
    header = binascii.unhexlify("040000008200E00074C5B7101A82E008") + bytes(20)
    return (header + len(data).to_bytes(4, "little") + data).hex().upper()


def _calendar(lines: str) -> bytes:
    return (CRLF.join(line for line in lines.strip().splitlines()) + CRLF).encode("utf-8")


def _ms_event(body: str, busystatus: str = "BUSY") -> str:
    return f"""BEGIN:VEVENT
DESCRIPTION:\\n
{body.strip()}
CLASS:PUBLIC
PRIORITY:5
DTSTAMP:20270301T090000Z
SEQUENCE:0
X-MICROSOFT-CDO-APPT-SEQUENCE:0
X-MICROSOFT-CDO-BUSYSTATUS:{busystatus}
X-MICROSOFT-CDO-INTENDEDSTATUS:{busystatus}
X-MICROSOFT-CDO-IMPORTANCE:1
X-MICROSOFT-DISALLOW-COUNTER:FALSE
END:VEVENT"""


def outlook_feed(own_uid_host: str = "library.test") -> bytes:
    """An Office 365 "publish calendar" ICS around the spring DST change of 2027."""
    wz = "W. Europe Standard Time"
    series = "040000008200E00074C5B7101A82E00800000000A1B2C3D4E5F6D901000000000000000010000000"
    events = [
        # Tuesdays 12:00-13:30 wall time, March to June; not on 23 March; the instance of
        # 30 March (after the change) moved to 14:00-15:00.
        _ms_event(
            f"""RRULE:FREQ=WEEKLY;UNTIL=20270629T100000Z;INTERVAL=1;BYDAY=TU;WKST=MO
EXDATE;TZID={wz}:20270323T120000
UID:{series}
SUMMARY;LANGUAGE=nb-NO:Seksjonsmøte
DTSTART;TZID={wz}:20270302T120000
DTEND;TZID={wz}:20270302T133000
LOCATION;LANGUAGE=nb-NO:Møterom 101
TRANSP:OPAQUE
STATUS:CONFIRMED
X-MICROSOFT-CDO-ALLDAYEVENT:FALSE
X-MICROSOFT-CDO-INSTTYPE:1"""
        ),
        _ms_event(
            f"""UID:{series}
RECURRENCE-ID;TZID={wz}:20270330T120000
SUMMARY;LANGUAGE=nb-NO:Seksjonsmøte (flyttet)
DTSTART;TZID={wz}:20270330T140000
DTEND;TZID={wz}:20270330T150000
TRANSP:OPAQUE
STATUS:CONFIRMED
X-MICROSOFT-CDO-ALLDAYEVENT:FALSE
X-MICROSOFT-CDO-INSTTYPE:3"""
        ),
        # Tentatively accepted: Thursday 25 March 10:00-11:00.
        _ms_event(
            f"""UID:040000008200E00074C5B7101A82E0080000000011111111
SUMMARY:Maybe: vendor demo
DTSTART;TZID={wz}:20270325T100000
DTEND;TZID={wz}:20270325T110000
TRANSP:OPAQUE
STATUS:CONFIRMED""",
            busystatus="TENTATIVE",
        ),
        # A free all-day event (a holiday note) and an out-of-office day.
        _ms_event(
            """UID:040000008200E00074C5B7101A82E0080000000022222222
SUMMARY:Palm Sunday
DTSTART;VALUE=DATE:20270321
DTEND;VALUE=DATE:20270322
TRANSP:TRANSPARENT
X-MICROSOFT-CDO-ALLDAYEVENT:TRUE""",
            busystatus="FREE",
        ),
        _ms_event(
            """UID:040000008200E00074C5B7101A82E0080000000033333333
SUMMARY:Conference (away)
DTSTART;VALUE=DATE:20270331
DTEND;VALUE=DATE:20270401
TRANSP:OPAQUE
X-MICROSOFT-CDO-ALLDAYEVENT:TRUE""",
            busystatus="OOF",
        ),
        # Marked as "free" although opaque: Outlook's own status decides.
        _ms_event(
            f"""UID:040000008200E00074C5B7101A82E0080000000044444444
SUMMARY:Lunch (can be moved)
DTSTART;TZID={wz}:20270324T113000
DTEND;TZID={wz}:20270324T120000
TRANSP:OPAQUE""",
            busystatus="FREE",
        ),
        # A meeting in Outlook's "Customized Time Zone", Friday 26 March 15:00-16:00.
        _ms_event(
            """UID:040000008200E00074C5B7101A82E0080000000055555555
SUMMARY:Webinar
DTSTART;TZID=Customized Time Zone:20270326T150000
DTEND;TZID=Customized Time Zone:20270326T160000
TRANSP:OPAQUE"""
        ),
        # Our own invitation, accepted: Exchange publishes its GlobalObjectId.
        _ms_event(
            f"""UID:{exchange_uid(f"appointment-7@{own_uid_host}")}
SUMMARY:Guidance: Zotero
DTSTART;TZID={wz}:20270329T090000
DTEND;TZID={wz}:20270329T094500
TRANSP:OPAQUE"""
        ),
    ]
    body = "\n".join(
        [
            "BEGIN:VCALENDAR",
            "METHOD:PUBLISH",
            "PRODID:Microsoft Exchange Server 2010",
            "VERSION:2.0",
            "X-WR-CALNAME:Calendar",
            EXCHANGE_VTIMEZONE.format(tzid=wz),
            EXCHANGE_VTIMEZONE.format(tzid="Customized Time Zone"),
            *events,
            "END:VCALENDAR",
        ]
    )
    return _calendar(body)


def google_feed(owner: str = "kari@uni.example", own_uid_host: str = "library.test") -> bytes:
    """A Google "secret address in iCal format" around the spring DST change of 2027."""
    return _calendar(
        f"""BEGIN:VCALENDAR
PRODID:-//Google Inc//Google Calendar 70.9054//EN
VERSION:2.0
CALSCALE:GREGORIAN
METHOD:PUBLISH
X-WR-CALNAME:{owner}
X-WR-TIMEZONE:Europe/Oslo
{OSLO_VTIMEZONE}
BEGIN:VEVENT
DTSTART;TZID=Europe/Oslo:20270303T090000
DTEND;TZID=Europe/Oslo:20270303T100000
RRULE:FREQ=WEEKLY;BYDAY=WE
DTSTAMP:20270301T080000Z
UID:7kukuqrfedlm2f9t0vmq9rq1dm@google.com
CREATED:20260901T080000Z
LAST-MODIFIED:20260901T080000Z
SEQUENCE:0
STATUS:CONFIRMED
SUMMARY:Lecture: information literacy
TRANSP:OPAQUE
END:VEVENT
BEGIN:VEVENT
DTSTART;TZID=Europe/Oslo:20270317T090000
DTEND;TZID=Europe/Oslo:20270317T100000
DTSTAMP:20270301T080000Z
UID:7kukuqrfedlm2f9t0vmq9rq1dm@google.com
RECURRENCE-ID;TZID=Europe/Oslo:20270317T090000
CREATED:20260901T080000Z
LAST-MODIFIED:20270310T080000Z
SEQUENCE:1
STATUS:CANCELLED
SUMMARY:Lecture: information literacy
TRANSP:OPAQUE
END:VEVENT
BEGIN:VEVENT
DTSTART;TZID=Europe/Oslo:20270322T080000
DTEND;TZID=Europe/Oslo:20270322T083000
RRULE:FREQ=DAILY;UNTIL=20270330T215959Z
EXDATE;TZID=Europe/Oslo:20270327T080000
EXDATE;TZID=Europe/Oslo:20270328T080000
DTSTAMP:20270301T080000Z
UID:2f3a0b9c8d7e@google.com
SEQUENCE:0
STATUS:CONFIRMED
SUMMARY:Stand-up
TRANSP:OPAQUE
END:VEVENT
BEGIN:VEVENT
DTSTART:20270329T120000Z
DTEND:20270329T130000Z
DTSTAMP:20270301T080000Z
UID:single-utc@google.com
STATUS:CONFIRMED
SUMMARY:Dentist
TRANSP:OPAQUE
END:VEVENT
BEGIN:VEVENT
DTSTART;VALUE=DATE:20270326
DTEND;VALUE=DATE:20270327
DTSTAMP:20270301T080000Z
UID:allday-free@google.com
SUMMARY:Mum's birthday
TRANSP:TRANSPARENT
END:VEVENT
BEGIN:VEVENT
DTSTART;TZID=Europe/Oslo:20270324T140000
DTEND;TZID=Europe/Oslo:20270324T150000
DTSTAMP:20270301T080000Z
ORGANIZER;CN=Ola:mailto:ola@uni.example
UID:declined@google.com
ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN=Ola;X-NUM
 -GUESTS=0:mailto:ola@uni.example
ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=DECLINED;CN={owner}
 ;X-NUM-GUESTS=0:mailto:{owner}
STATUS:CONFIRMED
SUMMARY:Budget meeting
TRANSP:OPAQUE
END:VEVENT
BEGIN:VEVENT
DTSTART;TZID=Europe/Oslo:20270325T140000
DTEND;TZID=Europe/Oslo:20270325T150000
DTSTAMP:20270301T080000Z
ORGANIZER;CN=Ola:mailto:ola@uni.example
UID:unanswered@google.com
ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;CN={owner}
 ;X-NUM-GUESTS=0:mailto:{owner.upper()}
STATUS:CONFIRMED
SUMMARY:Planning
TRANSP:OPAQUE
END:VEVENT
BEGIN:VEVENT
DTSTART;TZID=Europe/Oslo:20270330T100000
DTEND;TZID=Europe/Oslo:20270330T104500
DTSTAMP:20270301T080000Z
UID:appointment-9@{own_uid_host}
SEQUENCE:0
STATUS:CONFIRMED
SUMMARY:Guidance: EndNote
TRANSP:OPAQUE
END:VEVENT
END:VCALENDAR"""
    )


def nextcloud_feed() -> bytes:
    """A Nextcloud calendar export (``?export``) around the spring DST change of 2027."""
    return _calendar(
        f"""BEGIN:VCALENDAR
VERSION:2.0
CALSCALE:GREGORIAN
PRODID:-//SabreDAV//SabreDAV//EN
X-WR-CALNAME:Personal
X-APPLE-CALENDAR-COLOR:#0082c9
REFRESH-INTERVAL;VALUE=DURATION:PT4H
X-PUBLISHED-TTL:PT4H
{OSLO_VTIMEZONE}
BEGIN:VEVENT
CREATED:20270301T100000Z
DTSTAMP:20270301T100000Z
LAST-MODIFIED:20270301T100000Z
SEQUENCE:2
UID:0b1f7c7e-5d4a-4b57-9d0e-3c2b1a0f9e8d
DTSTART;TZID=Europe/Oslo:20270327T220000
DTEND;TZID=Europe/Oslo:20270328T040000
STATUS:TENTATIVE
SUMMARY:Server move (night)
END:VEVENT
BEGIN:VEVENT
CREATED:20270301T100000Z
DTSTAMP:20270301T100000Z
UID:floating-1
DTSTART:20270331T100000
DTEND:20270331T110000
SUMMARY:Floating review
END:VEVENT
BEGIN:VEVENT
CREATED:20270301T100000Z
DTSTAMP:20270301T100000Z
UID:allday-dst
DTSTART;VALUE=DATE:20270328
DTEND;VALUE=DATE:20270329
SUMMARY:Moving house
END:VEVENT
BEGIN:VEVENT
CREATED:20270301T100000Z
DTSTAMP:20270301T100000Z
UID:duration-1
DTSTART;TZID=Europe/Oslo:20270401T130000
DURATION:PT45M
SUMMARY:Call
END:VEVENT
BEGIN:VEVENT
CREATED:20270301T100000Z
DTSTAMP:20270301T100000Z
UID:count-1
DTSTART;TZID=Europe/Oslo:20270322T160000
DTEND;TZID=Europe/Oslo:20270322T170000
RRULE:FREQ=DAILY;COUNT=5
EXDATE;TZID=Europe/Oslo:20270323T160000,20270325T160000
SUMMARY:Course
END:VEVENT
BEGIN:VEVENT
CREATED:20270301T100000Z
DTSTAMP:20270301T100000Z
UID:cancelled-1
DTSTART;TZID=Europe/Oslo:20270329T100000
DTEND;TZID=Europe/Oslo:20270329T110000
STATUS:CANCELLED
SUMMARY:Cancelled thing
END:VEVENT
END:VCALENDAR"""
    )


def endless_weekly(start: str = "20200106T090000", weeks_note: str = "") -> bytes:
    """A weekly meeting since 2020 with no end (RRULE without COUNT or UNTIL)."""
    return _calendar(
        f"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Test//Endless//EN
{OSLO_VTIMEZONE}
BEGIN:VEVENT
UID:endless-1
DTSTAMP:20200101T000000Z
DTSTART;TZID=Europe/Oslo:{start}
DTEND;TZID=Europe/Oslo:{start[:9]}100000
RRULE:FREQ=WEEKLY
SUMMARY:Weekly{weeks_note}
END:VEVENT
END:VCALENDAR"""
    )


def every_second() -> bytes:
    """A hostile rule: every second since 1970, for ever."""
    return _calendar(
        """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Test//Hostile//EN
BEGIN:VEVENT
UID:secondly
DTSTAMP:19700101T000000Z
DTSTART:19700101T000000Z
DTEND:19700101T000001Z
RRULE:FREQ=SECONDLY
SUMMARY:Tick
END:VEVENT
END:VCALENDAR"""
    )


def many_events(count: int, day: str = "20270322") -> bytes:
    """``count`` separate one-minute events on one day."""
    events = "\n".join(
        f"""BEGIN:VEVENT
UID:many-{i}
DTSTAMP:20270101T000000Z
DTSTART:{day}T{8 + i // 60 % 12:02d}{i % 60:02d}00Z
DTEND:{day}T{8 + i // 60 % 12:02d}{i % 60:02d}30Z
END:VEVENT"""
        for i in range(count)
    )
    return _calendar(
        f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Test//Many//EN\n{events}\nEND:VCALENDAR"
    )
