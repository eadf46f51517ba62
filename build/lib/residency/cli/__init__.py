"""The `residency` command line: thin modules over the core packages."""
