"""Patients: the chart and everything that finds, checks or moves charts.

- ``charts``: create, edit, open (audited), instant search, duplicate warnings and merge.
- ``patient_import``: CSV import: read, map columns, problems by line, import atomically.
- ``patient_export``: every chart to a spreadsheet-safe CSV, recorded as a disclosure.
- ``referrers``: the referring-providers directory (referring physicians, family doctors).
"""
