"""The Audit area: the trail with filters, an entry's details, access reports, verification."""
