"""kamreport: key-account plans and quarterly review booklets from Excel workbooks."""

__version__ = "1.0.0"
