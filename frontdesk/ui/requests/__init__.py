"""The Requests area: the quick-intake form, the work queue and a request's details."""
