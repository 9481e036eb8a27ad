"""The one exception type for problems a user can fix, and the exit codes.

The CLI turns a KamError into a one-line message and exit 1; anything else
is a bug and keeps its traceback.
"""

# Exit codes (README "Exit codes"): the CLI and run_build both answer with these.
OK = 0          # done
ERR = 1         # a problem (fatal input, a failed build or send)
USAGE = 2       # a wrong option or argument (Click's own code)
RISK = 3        # --fail-on-risk: built, and a high risk was found


class KamError(Exception):
    """A problem the user can fix; the message says where and how."""
