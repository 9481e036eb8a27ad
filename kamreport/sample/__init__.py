"""Sample: the sample and blank workbooks `kamreport init` writes (SPEC §7 init)."""
