"""The kamxl command line: a thin shell over the library.

Heavy modules (pandas, calamine, xlsxwriter) are imported inside commands so
that `kamxl --help` stays fast.
"""

from __future__ import annotations

import json
import sys
import traceback
from pathlib import Path

import click

from kamxl import SPREADSHEET_SUFFIXES, __version__


def expand_inputs(paths: tuple[str, ...]) -> list[Path]:
    """Files named directly, plus the spreadsheets inside named folders."""
    from kamxl.watch import ignored  # one rule for what is not an input: lock, hidden and temporary files

    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(
                f
                for f in p.iterdir()
                if f.is_file() and f.suffix.lower() in SPREADSHEET_SUFFIXES and not ignored(f)
            )
        else:
            out.append(p)
    return out


def _settings(config: str | None, lang: str):
    from kamxl.config import ConfigError, load_settings

    try:
        return load_settings(config, lang)
    except ConfigError as exc:
        shipped = load_settings(lang=lang)  # the user's file is what failed: say so in kamxl's own words
        click.echo(f"kamxl: {shipped.message(shipped.issue('config_error', detail=str(exc)))}", err=True)
        sys.exit(2)


common_options = [
    click.option(
        "--lang",
        type=click.Choice(["zh", "en"]),
        default="zh",
        show_default=True,
        help="Language of labels and messages.",
    ),
    click.option(
        "--config", type=click.Path(dir_okay=False), help="A TOML file overriding kamxl's defaults."
    ),
    click.option("--debug", is_flag=True, help="Show tracebacks of unexpected errors."),
]


def with_common(f):
    for option in reversed(common_options):
        f = option(f)
    return f


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kamxl")
def main() -> None:
    """kamxl reads key-account-management planning workbooks (应收帐款规划表,
    预期损益表, 客户价值评估 …), runs the course's calculations and writes
    reviewed Excel reports."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@with_common
def check(paths, as_json, lang, config, debug):
    """Show how each workbook's sheets are recognised, and every issue found.

    Exit status: 0 no errors, 1 some file has errors, 2 usage errors.
    """
    from kamxl.read import read_workbook

    settings = _settings(config, lang)
    files = expand_inputs(paths)
    if not files:
        raise click.UsageError("no spreadsheet files found in " + ", ".join(paths))
    results = []
    for path in files:
        try:
            results.append(read_workbook(path, settings, strict=debug))
        except Exception as exc:  # a bug in kamxl: say so plainly, trace only with --debug
            if debug:
                traceback.print_exc()
            from kamxl.read import WorkbookData

            results.append(
                WorkbookData(
                    path,
                    None,
                    issues=[
                        settings.issue(
                            "unexpected_error", name=path.name, detail=f"{type(exc).__name__}: {exc}"[:200]
                        )
                    ],
                )
            )
    if as_json:
        click.echo(json.dumps([_check_dict(r, settings) for r in results], ensure_ascii=False, indent=2))
    else:
        _print_check(results, settings)
    sys.exit(1 if any(r.errors for r in results) else 0)


def _check_dict(result, settings) -> dict:
    return {
        "file": str(result.path),
        "kind": result.kind,
        "sheets": [
            {"name": s.name, "form": s.form, "header_row": s.header_row, "rows": s.rows}
            for s in result.sheets
        ],
        "issues": [settings.issue_dict(i) for i in result.issues],
    }


def _print_check(results, settings) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False, soft_wrap=True)
    styles = {"error": "bold red", "warning": "yellow", "info": "dim"}
    for result in results:
        console.print(f"[bold]{result.path}[/bold]" + (f"  ({result.kind})" if result.kind else ""))
        if result.sheets:
            table = Table(show_edge=False, pad_edge=False, box=None)
            for key in ("sheet", "form", "header_row", "rows"):
                table.add_column(settings.label(f"ui.{key}"))
            for s in result.sheets:
                form = settings.form_name(s.form) if s.form else f"[dim]{settings.label('ui.not_used')}[/dim]"
                table.add_row(s.name, form, str(s.header_row or ""), str(s.rows) if s.form else "")
            console.print(table)
        for i in result.issues:
            place = f" {i.place}" if i.place else ""
            label = settings.label(f"ui.{i.severity}")
            console.print(
                f"  [{styles[i.severity]}]{label}[/] [dim]{i.code}[/dim]{place}: {settings.message(i)}"
            )
        console.print()
    from kamxl.issues import count

    all_issues = [i for r in results for i in r.issues]
    console.print(
        settings.label(
            "ui.summary",
            files=len(results),
            errors=count(all_issues, "error"),
            warnings=count(all_issues, "warning"),
        )
    )


def _as_of(ctx, param, value):
    if value is None:
        return None
    import datetime as dt

    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-03-31") from None


history_options = [
    click.option(
        "--history",
        "history",
        type=click.Path(dir_okay=False),
        metavar="FILE",
        help="The history database (default: kamxl-history.sqlite in the output folder).",
    ),
    click.option(
        "--no-history", is_flag=True, help="Do not file these reviews or compare them with earlier months."
    ),
    click.option(
        "--region",
        help="File the reviews under this region (default: from the sheet titles, else the owner, else the file name).",
    ),
    click.option("--jobs", "-j", type=click.IntRange(1, 256), help="Processes to use (default: every core)."),
]


def with_history(f):
    for option in reversed(history_options):
        f = option(f)
    return f


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder for the outputs (<stem>.report.json …).",
)
@click.option(
    "--as-of",
    "as_of",
    callback=_as_of,
    metavar="YYYY-MM-DD",
    help="Review date (default: today): the review month and aging date.",
)
@with_history
@with_common
def process(paths, out_dir, as_of, history, no_history, region, jobs, lang, config, debug):
    """Read each workbook, run every calculation and write its results into --out.

    Each review is filed in a history database, so the next month's review
    shows how the funnel moved. Several files run in parallel on every core.

    Exit status: 0 no file has errors, 1 some file has errors, 2 usage errors.
    """
    settings = _settings(config, lang)
    files = expand_inputs(paths)
    if not files:
        raise click.UsageError("no spreadsheet files found in " + ", ".join(paths))
    out = Path(out_dir)
    db = None if no_history else Path(history) if history else out / "kamxl-history.sqlite"
    outcomes = _run(files, out, settings, as_of, debug, db, region, jobs)
    _print_outcomes(outcomes, settings)
    sys.exit(1 if any(o.errors for o in outcomes) else 0)


def _run(
    files: list[Path], out: Path, settings, as_of, debug: bool, history=None, region=None, jobs=None
) -> list:
    """The batch, with a progress bar on a terminal and a plain line per file otherwise."""
    from rich.console import Console

    from kamxl.batch import run_batch

    console = Console(stderr=True, highlight=False)
    try:
        if console.is_terminal and len(files) > 1:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            with Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            ) as progress:
                task = progress.add_task(settings.label("ui.processing"), total=len(files))
                return run_batch(
                    files,
                    out,
                    settings,
                    as_of,
                    history=history,
                    region=region,
                    jobs=jobs,
                    strict=debug,
                    on_done=lambda o: progress.advance(task),
                )
        done = [0]

        def line(o):
            done[0] += 1
            state = settings.label("ui.file_failed") if o.errors else settings.label("ui.file_done")
            console.print(f"[{done[0]}/{len(files)}] {o.source.name}: {state} ({o.seconds:.1f} s)")

        return run_batch(
            files,
            out,
            settings,
            as_of,
            history=history,
            region=region,
            jobs=jobs,
            strict=debug,
            on_done=line if len(files) > 1 else None,
        )
    except Exception:
        if debug:
            traceback.print_exc()
            sys.exit(1)
        raise


@main.command()
@click.option(
    "--out",
    "out_dir",
    default="kamxl-output",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder for the outputs.",
)
@click.option("--jobs", "-j", type=click.IntRange(1, 256), help="Processes to use (default: every core).")
@with_common
def demo(out_dir, jobs, lang, config, debug):
    """Process the bundled sample workbooks into --out and say where to look.

    The samples are a regional plan of 华东区 for January to March 2026 (March
    holds every form), one workbook per form, an English plan and an HR
    appraisal export; they are reviewed as of the date they were written for.
    """
    import datetime as dt
    from importlib import resources

    settings = _settings(config, lang)
    samples = resources.files("kamxl.samples")
    with resources.as_file(samples) as folder:
        files = expand_inputs((str(folder),))
        if lang == "en":  # the English sample first; the Chinese ones still show what the workbooks look like
            files.sort(key=lambda p: not p.stem.endswith("-en"))
        out = Path(out_dir)
        # a fresh history each time: the three months of 华东区 show their movement, not last run's
        (out / "kamxl-history.sqlite").unlink(missing_ok=True)
        outcomes = _run(
            files,
            out,
            settings,
            dt.date.fromisoformat(settings.get("demo.as_of")),
            debug,
            out / "kamxl-history.sqlite",
            None,
            jobs,
        )
    _print_outcomes(outcomes, settings)
    main_stem = (
        next((o.source.stem for o in outcomes if o.source.stem.endswith("-en")), None)
        if lang == "en"
        else None
    )
    main_stem = main_stem or next(
        (o.source.stem for o in outcomes if o.source.stem == "east-2026-03"), outcomes[0].source.stem
    )
    out = Path(out_dir).resolve()
    click.echo("")
    click.echo(
        settings.label(
            "ui.demo_look",
            workbook=out / f"{main_stem}.kamxl.xlsx",
            summary=out / f"{main_stem}.summary.html",
            report=out / f"{main_stem}.report.json",
        )
    )
    sys.exit(1 if any(o.errors for o in outcomes) else 0)


@main.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder for the appraisal workbooks.",
)
@click.option("--split", is_flag=True, help="One workbook per employee instead of one with a sheet each.")
@click.option("--pdf", is_flag=True, help="Also print the workbooks to PDF (needs LibreOffice).")
@with_common
def appraisal(path, out_dir, split, pdf, lang, config, debug):
    """Write a printable appraisal form per employee from an HR export, with an overview.

    Exit status: 0 every employee appraised, 1 some employee or the file has errors, 2 usage errors.
    """
    from kamxl.hr import export_appraisal
    from kamxl.write.pdf import to_pdf

    settings = _settings(config, lang)
    out = Path(out_dir)
    try:
        outcome = export_appraisal(path, out, settings, split=split, strict=debug)
    except Exception:
        if debug:
            traceback.print_exc()
            sys.exit(1)
        raise
    for p in outcome.outputs:
        click.echo(settings.label("appraisal.written", path=p))
    if pdf and outcome.outputs:
        for p in [p for p in outcome.outputs if p.suffix == ".xlsx"]:
            try:
                click.echo(settings.label("appraisal.pdf_written", path=to_pdf(p, out)))
            except FileNotFoundError:
                click.echo(settings.label("appraisal.no_libreoffice"), err=True)
                break
            except Exception as exc:  # LibreOffice failed on one file: say so, go on
                click.echo(
                    settings.label("appraisal.pdf_failed", name=p.name, detail=str(exc)[:200]), err=True
                )
    errors = [e for e in outcome.employees if e["grade"] is None]
    if outcome.employees:
        click.echo(
            settings.label(
                "appraisal.employees_summary",
                count=len(outcome.employees),
                ok=len(outcome.employees) - len(errors),
                errors=len(errors),
            )
        )
    for i in outcome.errors:
        click.echo(
            f"  {settings.label('ui.error')} {(i.place + ' ') if i.place else ''}{settings.message(i)}",
            err=True,
        )
    sys.exit(1 if outcome.errors else 0)


@main.command()
@click.argument("inbox", type=click.Path(file_okay=False))
@click.option(
    "--out", "outbox", required=True, type=click.Path(file_okay=False), help="Folder for the outputs."
)
@click.option(
    "--poll",
    type=click.FloatRange(0.1, 3600),
    metavar="SECONDS",
    help="Look for new files this often instead of waiting for file events (network shares).",
)
@click.option(
    "--as-of",
    "as_of",
    callback=_as_of,
    metavar="YYYY-MM-DD",
    help="Review date (default: the day each file is processed).",
)
@click.option(
    "--history",
    "history",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="The history database (default: kamxl-history.sqlite in the output folder).",
)
@click.option(
    "--no-history", is_flag=True, help="Do not file these reviews or compare them with earlier months."
)
@click.option("--region", help="File every review under this region.")
@with_common
def watch(inbox, outbox, poll, as_of, history, no_history, region, lang, config, debug):
    """Process every workbook dropped into INBOX into --out, until stopped.

    A finished file moves to INBOX/done/; one that cannot be processed to
    INBOX/failed/ with <name>.error.txt saying why. Lock and hidden files are
    left alone. Ctrl-C or SIGTERM stops after the current file.
    """
    import datetime as dt
    import signal

    from kamxl.watch import Watcher

    settings = _settings(config, lang)
    out = Path(outbox)
    db = None if no_history else Path(history) if history else out / "kamxl-history.sqlite"

    def log(line: str) -> None:
        click.echo(f"{dt.datetime.now():%Y-%m-%d %H:%M:%S} {line}", err=True)

    watcher = Watcher(Path(inbox), out, settings, history=db, region=region, as_of=as_of, poll=poll, log=log)

    def stop(signum, frame):
        watcher.stop.set()
        watcher.wake.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    log(settings.label("ui.watch_started", inbox=Path(inbox).resolve(), outbox=out.resolve()))
    watcher.run()
    log(settings.label("ui.watch_stopped"))


def _outputs_text(outputs: list[Path]) -> str:
    """The file a user opens first (the workbook, else report.json), and how many more were written."""
    if not outputs:
        return "—"
    first = next((p for p in outputs if p.name.endswith(".kamxl.xlsx")), outputs[0])
    return first.name + (f" +{len(outputs) - 1}" if len(outputs) > 1 else "")


def _print_outcomes(outcomes, settings) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False, soft_wrap=True)
    table = Table(show_edge=False, pad_edge=False, box=None)
    for key in ("file", "forms", "errors", "warnings", "output"):
        table.add_column(settings.label(f"ui.{key}"))
    for o in outcomes:
        errors = f"[bold red]{len(o.errors)}[/]" if o.errors else "0"
        table.add_row(
            o.source.name, str(len(o.forms)), errors, str(len(o.warnings)), _outputs_text(o.outputs)
        )
    console.print(table)
    folders = sorted({str(p.parent) for o in outcomes for p in o.outputs})
    if folders:
        console.print(settings.label("ui.outputs_in", folder=", ".join(folders)))
    for o in outcomes:
        for i in o.errors:
            console.print(
                f"  [bold red]{settings.label('ui.error')}[/] {o.source.name}{(' ' + i.place) if i.place else ''}: {settings.message(i)}"
            )
    all_issues = [i for o in outcomes for i in o.issues]
    from kamxl.issues import count

    console.print(
        settings.label(
            "ui.summary",
            files=len(outcomes),
            errors=count(all_issues, "error"),
            warnings=count(all_issues, "warning"),
        )
    )


@main.command()
@click.argument("forms", nargs=-1)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder to write the blank forms into.",
)
@with_common
def template(forms, out_dir, lang, config, debug):
    """Write blank forms (all ten, or the FORMS named) in the course's layout."""
    from kamxl.read.header import FORM_NAMES
    from kamxl.write.template import write_template

    settings = _settings(config, lang)
    unknown = [f for f in forms if f not in FORM_NAMES]
    if unknown:
        raise click.UsageError(f"unknown form(s): {', '.join(unknown)}; choose from {', '.join(FORM_NAMES)}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for form in forms or FORM_NAMES:
        path = write_template(form, out, settings)
        click.echo(settings.label("ui.template_written", path=path))


if __name__ == "__main__":  # pragma: no cover
    main()
