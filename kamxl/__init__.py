"""kamxl: key-account-management planning workbooks in, calculated reviews out."""

__version__ = "0.1.0"
