"""The inbox: faxes, scans and e-mailed records arrive (``arrivals``), are read
(``reading``: text layer or OCR, a page at a time), get a suggested patient, kind and
referrer (``suggestions``), are listed (``listing``) and are filed or discarded by a person
(``filing``). Watched folders (``folders``) and the mailbox (``mailbox``) feed ``arrivals``.
"""
