"""kamxl: key-account-management planning workbooks in, calculated reviews out."""

__version__ = "0.1.0"

# What kamxl reads (and a drop folder or a batch picks up) by file name.
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".xlsb", ".ods")
