"""Consultation requests: from the referral's arrival to the visit.

- ``consultations``: intake (with the patient's chart), red flags, state changes, the records
  chase and its letters, contact attempts, the work queue and the referrals report.

Crossings (named in pyproject's independence contract): a request finds or creates the chart
(patients), chases records that are history entries and received documents (history), and
reads the practice's time zone (scheduling.setup, until the kernel's practice clock).
"""
