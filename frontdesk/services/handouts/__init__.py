"""Handouts: patient education, from the library to what each patient was given.

- ``library``: shipped handouts plus the practice's own folder, listed, searched, checked.
- ``handout_prints``: personalized renders, the print log, reprints and suggestions.
- ``packets``: a day's pre-visit packets (handouts, what to bring, the history summary).

Crossings: a packet puts one visit together (patients, scheduling, requests, history).
"""
