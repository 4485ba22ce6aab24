"""The chart's surgery history, imaging and timeline, with the received-document viewer."""
