"""Templates kamxl writes from: example rows of the blank forms (examples.toml)
and the review summary's Jinja2 templates (summary.md.j2, summary.html.j2).
Shipped as the package data ``kamxl.templates``."""
