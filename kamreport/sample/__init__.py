"""Sample: the sample and blank workbooks `kamreport init` writes (SPEC §7 init).

Read per sheet: `vocab` (word pools and names), `storylines` (what happens to
each customer), `dataset` (the records, one function per sheet), `cells` (the
records as cell values, messy where real exports are) and `workbooks` (the
sample and blank workbooks written with openpyxl).
"""
from .dataset import sample_dataset
from .workbooks import blank_workbook, sample_workbook, write_workbook

__all__ = ["blank_workbook", "sample_dataset", "sample_workbook", "write_workbook"]
