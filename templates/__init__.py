"""Templates kamxl writes from: example rows of the blank forms (examples.toml);
the review summary's Jinja2 templates will live here too. Shipped as the
package data ``kamxl.templates``."""
