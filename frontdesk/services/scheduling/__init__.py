"""Scheduling: the providers' calendars.

One module per use case (import the one you need; nothing is re-exported here):

- ``data``: the forms and plain data (``BookingForm``, ``AppointmentData``, ``SlotSearch``,
  ``AvailabilityForm``, ``WaitlistForm``, ``DaySheetPdf``, ...) and ``TABLES``.
- ``bookability``: can this time be booked? ``read_bookability`` reads the facts the rule
  (``domain.scheduling.Bookability``) decides from; ``busy_intervals``, ``ACTIVE_VALUES``.
- ``booking``: ``book``, ``reschedule`` (and ``book_in``, ``reschedule_in`` inside another
  action's unit of work), ``update_details``; ``OutsideAvailabilityError``.
- ``status``: ``set_status``, ``cancel``, ``record_call`` (reminder calls).
- ``calendars``: ``calendar`` (a day or week view), ``day_appointments``,
  ``appointments_between``.
- ``lookup``: ``get_appointment``, ``appointments_for_patient``, ``appointments_for_request``.
- ``find``: ``find_slots``, the next free slots.
- ``freed``: ``freed_times`` given back by cancellations, no-shows, moves and new hours.
- ``waitlist``: patients who want an earlier time, matched against times that free up.
- ``appointment_types``, ``availability``, ``time_away``: Admin's setup (types, weekly hours,
  their exceptions).
- ``names``: provider and location names as the schedule shows them.
- ``day_sheet``: one day's appointments with what the desk needs, printed or saved as a PDF.
- ``schedule_export``: a provider's schedule as an .ics file, recorded as a disclosure.
- ``timeline``: ``appointment_events``, the appointments on the chart's timeline.
- ``_rows`` (private): an appointment's row found, checked and read as plain data, its events
  written, and the setup rows' helpers; shared by the modules above.

Crossings: booking from a request moves the request along (requests); appointments are
events on the chart's timeline and the day sheet shows whether records are in (history).
"""
