"""`make documents`: one of each printed document of Front Desk, as PDF and page images."""
