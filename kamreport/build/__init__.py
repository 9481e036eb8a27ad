"""Build: the pipeline that turns workbooks into a whole period folder (SPEC §6, §7)."""
