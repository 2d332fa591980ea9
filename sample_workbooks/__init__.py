"""The bundled sample workbooks, shipped as the package data ``kamxl.samples`` so that
``kamxl demo`` works from an installed copy too. Regenerate with make_samples.py."""
