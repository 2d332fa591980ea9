"""Writers: the blank form templates now; report workbook and summaries later."""
