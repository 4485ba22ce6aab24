"""The Inbox area: documents that arrived, read and suggested, filed in a few keystrokes."""
