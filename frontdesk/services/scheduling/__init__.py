"""Scheduling: the providers' calendars.

- ``appointments``: book, move, cancel, statuses, reminder calls, calendars, free-slot search
  (can this time be booked?).
- ``setup``: Admin's appointment types, weekly availability and its exceptions; provider and
  location names; the practice's time zone (``zone_of``).
- ``waitlist``: patients who want an earlier time, matched against times that free up.
- ``day_sheet``: one day's appointments with what the desk needs, printed or saved as a PDF.
- ``schedule_export``: a provider's schedule as an .ics file, recorded as a disclosure.

Crossings: booking from a request moves the request along (requests); appointments are
events on the chart's timeline and the day sheet shows whether records are in (history).
"""
