"""Printing a workbook to PDF with headless LibreOffice (`kamxl appraisal --pdf`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path


def to_pdf(xlsx: Path, out_dir: Path, timeout: float = 240) -> Path:
    """Print a workbook to PDF with headless LibreOffice; FileNotFoundError when it is not installed."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        raise FileNotFoundError("soffice")
    with tempfile.TemporaryDirectory(prefix="kamxl-lo-") as profile:
        result = subprocess.run(
            [
                exe,
                f"-env:UserInstallation={Path(profile).as_uri()}",
                "--headless",
                "--norestore",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out_dir),
                str(xlsx),
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=dict(os.environ, HOME=profile),
        )
    target = Path(out_dir) / (xlsx.name[: -len(".xlsx")] + ".pdf")
    if result.returncode != 0 or not target.exists():
        raise RuntimeError((result.stderr or result.stdout or "no PDF written").strip()[:200])
    return target
