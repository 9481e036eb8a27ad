"""The one exception type for problems a user can fix.

The CLI turns it into a one-line message and exit 1; anything else is a bug
and keeps its traceback.
"""


class KamError(Exception):
    """A problem the user can fix; the message says where and how."""
