"""Consultation requests: from the referral's arrival to the visit.

One module per use case (import the one you need; nothing is re-exported here):

- ``data``: the forms and plain data (``IntakeForm``, ``RequestData``, ``RequestDetail``,
  ``QueueFilter``, ``QueueRow``, ...) and ``TABLES``, the tables a screen watches.
- ``intake``: ``create_request``: the request from the call, with the chart (found or
  created), red flags, the surgeries and imaging mentioned, and the first checklist.
- ``linking``: a call on an existing chart: ``check_link`` (its open requests, the caller's
  changed contact details), ``add_call_to_request`` instead of a second request.
- ``reading``: ``get_request`` (everything the details pane shows), ``requests_for_patient``,
  ``requests_to_book`` (a chart's open requests as a booking form offers to link one).
- ``states``: ``transition``, and ``checked_transition_in``/``transition_in`` inside another
  action (the workflow's moves; the records wanted before Ready to schedule,
  ``missing_before_ready``, ``RecordsMissingError``); ``request_for_change`` for booking.
- ``assignment``: ``assign``, ``set_follow_up``, ``staff_members``.
- ``checklist``: the records chase: ``add_checklist_item``, ``mark_requested``,
  ``mark_received``, ``attach_document``.
- ``contacts``: ``log_contact``, one attempt to reach the person.
- ``work_queue``: ``queue`` (a page, urgent first then oldest), ``state_counts``,
  ``open_queue``, ``is_overdue``.
- ``letters``: the records-request letter: ``letter_addressees``, ``records_request_letter``.
- ``report``: the referrals report: ``referrals_report``, ``referrals_csv``.
- ``timeline``: ``request_events``, the requests on the chart's timeline.
- ``_rows`` (private): a request's rows found, read as plain data and filtered, and its
  transitions written; shared by the modules above.

Crossings (named in pyproject's independence contract): a request finds or creates the chart
(patients), and chases records that are history entries and received documents (history).
"""
