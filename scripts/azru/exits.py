"""The exit codes of every `azru` command, one definition for the README's promise."""

OK = 0  # valid, or done
INVALID = 1  # the input is invalid, or the command could not do its work on it
USAGE = 2  # wrong arguments: a folder that is not there, an unknown command or option
INTERNAL = 3  # a bug in azru, never bad input
STDOUT_CLOSED = 141  # the reader of stdout went away (`azru ... | head`): 128 + SIGPIPE, as the shell reports
