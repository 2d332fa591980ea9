"""The bundled sample workbooks, shipped as the package data ``kamxl.samples`` so that
``kamxl demo`` works from an installed copy too. Regenerate with scripts/make_samples.py."""
