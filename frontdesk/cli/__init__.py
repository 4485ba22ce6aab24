"""The command line: thin over the services, one line on stderr for every refusal."""
