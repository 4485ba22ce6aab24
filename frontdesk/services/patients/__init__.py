"""Patients: the chart and everything that finds, checks or moves charts.

- ``forms``: the chart form and the plain data the area returns (``PatientForm``,
  ``PatientData``, ``PatientSummary``, ``SearchPage``, ``MergeResult``...) and its errors
  (``PossibleDuplicatesError``, ``AgeConfirmationNeeded``).
- ``edit``: create and update a chart, every field validated (``validate_form``).
- ``lookup``: open a chart (audited), find one by its MRN, summaries by id.
- ``search``: instant search by name, phone, MRN or birth date, a page at a time.
- ``duplicates``: the service side of the duplicate check (the rule: ``domain.duplicates``).
- ``merge``: merge two charts of one person.
- ``chart_store``: private to the area: search keys and their counts, summaries and chart
  data read from rows.
- CSV import, the flow the wizard and ``frontdesk patients import`` share:
  ``import_reading`` (decode the file, records with their line numbers; ``ImportFileError``),
  ``import_mapping`` (the fields a column may fill; guess and check the mapping),
  ``import_preview`` (every row checked with the chart form's rules, duplicates found in bulk;
  nothing written), ``import_write`` (the previewed rows in one transaction, bulk, audited;
  ``import_file`` runs all four steps).
- ``patient_export``: every chart to a spreadsheet-safe CSV, recorded as a disclosure.
- ``referrers``: the referring-providers directory (referring physicians, family doctors).
"""
