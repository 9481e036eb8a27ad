"""Deliver: mailing a built period over SMTP, with its send log (SPEC §7 send)."""
