"""A realistic, reproducible demo practice (``frontdesk demo``; the app's demo button).

It writes through the models in bulk and reads the services' rules, so it sits above
``frontdesk.services`` and is installed with the app.

- ``generator``: the practice, its physicians, referrers and up to millions of patients; the
  entry point ``generate`` calls the others inside one transaction.
- ``history``: surgery and imaging histories in every received/missing state.
- ``requests``: consultation requests in every state, with checklists and contact attempts.
- ``scheduling``: types, availability, time away, a year of appointments, a waitlist.
"""
