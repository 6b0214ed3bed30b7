"""The `bmzcard` command line: one module per command, registered in `app`."""
