"""The outputs, one module each: they take the results and the settings and only write.

- ``xlsx``: the report workbook (live formulas, native charts), and the appraisal forms;
- ``summary`` and ``svg``: the review summary in Markdown and HTML, with inline charts;
- ``report``: report.json, the machine-readable contract;
- ``template``: the blank forms users start from;
- ``words``: the words and orders every output shares; ``files``: writing atomically.
"""
