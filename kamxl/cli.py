"""The kamxl command line: a thin shell over the library.

Each command parses its options, loads the settings and hands over to
``kamxl.read``, ``kamxl.batch``, ``kamxl.watch`` or ``kamxl.hr``; all it does
itself is print. Heavy modules (pandas, calamine, xlsxwriter) are imported
inside commands so that `kamxl --help` stays fast.
"""

from __future__ import annotations

import json
import re
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from kamxl import SPREADSHEET_SUFFIXES, __version__

if TYPE_CHECKING:
    import datetime as dt

    from rich.console import Console

    from kamxl.config import Settings
    from kamxl.issues import Issue
    from kamxl.outcome import Outcome
    from kamxl.read import WorkbookData

Command = TypeVar("Command", bound=Callable[..., Any])

DEFAULT_HISTORY = "kamxl-history.sqlite"


def expand_inputs(paths: tuple[str, ...]) -> list[Path]:
    """Files named directly, plus the spreadsheets inside named folders."""
    from kamxl.watch import ignored  # one rule for what is not an input: lock, hidden and temporary files

    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files += sorted(
                entry
                for entry in path.iterdir()
                if entry.is_file() and entry.suffix.lower() in SPREADSHEET_SUFFIXES and not ignored(entry)
            )
        else:
            files.append(path)
    return files


def _inputs(paths: tuple[str, ...]) -> list[Path]:
    """The files to work on; a usage error when the paths hold none."""
    files = expand_inputs(paths)
    if not files:
        raise click.UsageError("no spreadsheet files found in " + ", ".join(paths))
    return files


def _settings(config: str | None, lang: str | None) -> Settings:
    """The settings, or exit status 2 with the configuration error (it names the key).

    Without --lang the reports follow their inputs' language (``output.follow_input_lang``), the terminal
    speaks Chinese; with it, everything is in that language.
    """
    from kamxl.config import ConfigError, Settings, load_settings

    try:
        settings = load_settings(config, lang or "zh")
    except ConfigError as exc:
        lang = lang or "zh"
        shipped = load_settings(lang=lang)  # the user's file is what failed: say so in kamxl's own words
        click.echo(f"kamxl: {shipped.message(shipped.issue('config_error', detail=str(exc)))}", err=True)
        sys.exit(2)
    output = {**settings.tree["output"], "follow_input_lang": lang is None}
    return Settings({**settings.tree, "output": output}, settings.lang)


def _history_path(out: Path, history: str | None, no_history: bool) -> Path | None:
    """The history database: --history, else the default one in the output folder; None with --no-history."""
    if no_history:
        return None
    return Path(history) if history else out / DEFAULT_HISTORY


def _as_of(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    """--as-of as a date."""
    if value is None:
        return None
    import datetime as dt

    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-03-31") from None


def _with(options: list[Callable[[Command], Command]]) -> Callable[[Command], Command]:
    """A decorator adding ``options`` to a command, in the order listed."""

    def decorate(command: Command) -> Command:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


with_common = _with(
    [
        click.option(
            "--lang",
            type=click.Choice(["zh", "en"]),
            default=None,
            help="Language of labels and messages (default: each report in its input's language).",
        ),
        click.option(
            "--config", type=click.Path(dir_okay=False), help="A TOML file overriding kamxl's defaults."
        ),
        click.option("--debug", is_flag=True, help="Show tracebacks of unexpected errors."),
    ]
)
as_of_option = click.option(
    "--as-of",
    "as_of",
    callback=_as_of,
    metavar="YYYY-MM-DD",
    help="Review date (default: today): the review month and aging date.",
)
jobs_option = click.option(
    "--jobs", "-j", type=click.IntRange(1, 256), help="Processes to use (default: every core)."
)
history_option = click.option(
    "--history",
    "history",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help=f"The history database (default: {DEFAULT_HISTORY} in the output folder).",
)


def out_option(help_text: str, default: str | None = None) -> Callable[[Command], Command]:
    """``--out``: the folder a command writes into (required unless it has a default)."""
    # click counts an explicit default=None as a default given: pass one only when there is one
    defaults: dict[str, Any] = {"default": default, "show_default": True} if default else {"required": True}
    option: Callable[[Command], Command] = click.option(
        "--out", "out_dir", type=click.Path(file_okay=False), help=help_text, **defaults
    )
    return option


no_history_option = click.option(
    "--no-history", is_flag=True, help="Do not file these reviews or compare them with earlier months."
)
with_history = _with(
    [
        history_option,
        no_history_option,
        click.option(
            "--region",
            help="File the reviews under this region "
            "(default: from the sheet titles, else the owner, else the file name).",
        ),
    ]
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kamxl")
def main() -> None:
    """kamxl reviews the planning workbooks of a key-account-management sales
    course: it reads the course's Excel or WPS forms (receivables plan
    应收帐款规划表, projected P&L 预期损益表, customer assessment 客户价值评估,
    activity plan, calendar, to-do lists, weekly and monthly plans, HR
    appraisal export), runs the course's calculations and writes a report of
    each workbook: an Excel workbook with live formulas and charts,
    report.json and a review summary in HTML and Markdown. Try "kamxl demo"
    to see it on the bundled samples."""


# -- check ------------------------------------------------------------------------------------------
@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@with_common
def check(paths: tuple[str, ...], as_json: bool, lang: str | None, config: str | None, debug: bool) -> None:
    """Show how workbooks are read, and every issue found in them. For each
    file (or each spreadsheet in a folder) it lists the form every sheet was
    recognised as, its header row and its number of rows, then each issue with
    its sheet and cell. Nothing is written; --json prints the same as JSON.

    Exit status: 0 no errors, 1 some file has errors, 2 usage errors.
    """
    settings = _settings(config, lang)
    results = [_read(path, settings, debug) for path in _inputs(paths)]
    if as_json:
        click.echo(
            json.dumps([_check_dict(result, settings) for result in results], ensure_ascii=False, indent=2)
        )
    else:
        _print_check(results, settings)
    sys.exit(1 if any(result.errors for result in results) else 0)


def _read(path: Path, settings: Settings, debug: bool) -> WorkbookData:
    """The workbook as read; a bug in kamxl becomes its one issue, said plainly (traced only with --debug)."""
    from kamxl.issues import describe
    from kamxl.read import WorkbookData, read_workbook

    try:
        return read_workbook(path, settings, strict=debug)
    except Exception as exc:
        if debug:
            traceback.print_exc()
        issue = settings.issue("unexpected_error", name=path.name, detail=describe(exc))
        return WorkbookData(path, None, issues=[issue])


def _check_dict(result: WorkbookData, settings: Settings) -> dict[str, Any]:
    """One workbook in ``check --json``: its kind, its sheets as recognised, its issues, its ledgers."""
    return {
        "file": str(result.path),
        "kind": result.kind,
        "sheets": [
            {"name": s.name, "form": s.form, "header_row": s.header_row, "rows": s.rows}
            | ({"left_out": s.left_out, "same_as": s.same_as} if s.left_out else {})
            | ({"area": s.area} if s.area else {})
            for s in result.sheets
        ],
        "issues": [settings.issue_dict(i) for i in result.issues],
        # every table read: what became of each non-blank cell of its area (docs/forms.md, "The ledger")
        "ledger": [
            ledger.as_dict() | {"table": settings.form_name(ledger.form)} for ledger in result.ledgers
        ],
    }


def _print_check(results: list[WorkbookData], settings: Settings) -> None:
    """``check`` for people: each workbook's sheets and issues, then the counts."""
    from rich.console import Console

    console = Console(highlight=False, soft_wrap=True)
    styles = {"error": "bold red", "warning": "yellow", "info": "dim"}
    for result in results:
        console.print(f"[bold]{result.path}[/bold]" + (f"  ({result.kind})" if result.kind else ""))
        if result.sheets:
            _print_sheets(console, result, settings)
        for i in result.issues:
            place = f" {i.place}" if i.place else ""
            label = settings.label(f"ui.{i.severity}")
            console.print(
                f"  [{styles[i.severity]}]{label}[/] [dim]{i.code}[/dim]{place}: {settings.message(i)}"
            )
        console.print()
    _print_summary(console, [i for result in results for i in result.issues], len(results), settings)


def _print_sheets(console: Console, result: WorkbookData, settings: Settings) -> None:
    """A workbook's sheets: the form each was recognised as, its header row and its rows."""
    from rich.table import Table

    table = Table(show_edge=False, pad_edge=False, box=None)
    for key in ("sheet", "form", "header_row", "rows"):
        table.add_column(settings.label(f"ui.{key}"))
    for sheet in result.sheets:
        unused = (
            settings.label(f"ui.left_out_{sheet.left_out}", used=sheet.same_as) if sheet.left_out else None
        )
        form = (
            settings.form_name(sheet.form)
            if sheet.form
            else f"[dim]{unused or settings.label('ui.not_used')}[/dim]"
        )
        name = f"{sheet.name} {sheet.area}" if sheet.area else sheet.name  # one line per table of a sheet
        table.add_row(name, form, str(sheet.header_row or ""), str(sheet.rows) if sheet.form else "")
    console.print(table)


def _print_summary(console: Console, issues: list[Issue], files: int, settings: Settings) -> None:
    """The closing line: how many files, errors and warnings."""
    from kamxl.issues import count

    console.print(
        settings.label(
            "ui.summary",
            files=files,
            errors=count(issues, "error"),
            warnings=count(issues, "warning"),
        )
    )


# -- process ----------------------------------------------------------------------------------------
@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@out_option("Folder for the outputs (<stem>.report.json …).")
@as_of_option
@with_history
@jobs_option
@with_common
def process(
    paths: tuple[str, ...],
    out_dir: str,
    as_of: dt.date | None,
    history: str | None,
    no_history: bool,
    region: str | None,
    jobs: int | None,
    lang: str | None,
    config: str | None,
    debug: bool,
) -> None:
    """Review workbooks and write their reports into --out. Each workbook gets
    a report workbook (<stem>.kamxl.xlsx, with live formulas and charts),
    <stem>.report.json and a review summary (<stem>.summary.html and .md); an
    HR appraisal export gets its appraisal forms instead. Each review is filed
    in a history database, so the next month's review shows how the funnel
    moved. Several files run in parallel on every core.

    Exit status: 0 no file has errors, 1 some file has errors, 2 usage errors.
    """
    settings = _settings(config, lang)
    files = _inputs(paths)
    out = Path(out_dir)
    outcomes = _run(files, out, settings, as_of, debug, _history_path(out, history, no_history), region, jobs)
    _print_outcomes(outcomes, settings)
    sys.exit(1 if any(outcome.errors for outcome in outcomes) else 0)


def _run(
    files: list[Path],
    out: Path,
    settings: Settings,
    as_of: dt.date | None,
    debug: bool,
    history: Path | None = None,
    region: str | None = None,
    jobs: int | None = None,
) -> list[Outcome]:
    """The batch, with a progress bar on a terminal and a plain line per file otherwise."""
    from functools import partial

    from rich.console import Console

    from kamxl.batch import run_batch
    from kamxl.pipeline import RunOptions

    console = Console(stderr=True, highlight=False)
    batch = partial(run_batch, files, out, settings, RunOptions(as_of, history, region, debug), jobs=jobs)
    try:
        if console.is_terminal and len(files) > 1:
            return _with_progress_bar(batch, console, len(files), settings)
        return batch(on_done=_line_per_file(console, len(files), settings) if len(files) > 1 else None)
    except Exception:
        if debug:
            traceback.print_exc()
            sys.exit(1)
        raise


def _with_progress_bar(
    batch: Callable[..., list[Outcome]], console: Console, total: int, settings: Settings
) -> list[Outcome]:
    """Run ``batch`` under a progress bar that advances as each file finishes, and vanishes after."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task(settings.label("ui.processing"), total=total)
        return batch(on_done=lambda outcome: progress.advance(task))


def _line_per_file(console: Console, total: int, settings: Settings) -> Callable[[Outcome], None]:
    """A callback printing "[n/total] name: done (1.2 s)" as each file finishes (for logs and pipes)."""
    done = 0

    def line(outcome: Outcome) -> None:
        nonlocal done
        done += 1
        state = settings.label("ui.file_failed") if outcome.errors else settings.label("ui.file_done")
        console.print(f"[{done}/{total}] {outcome.source.name}: {state} ({outcome.seconds:.1f} s)")

    return line


def _outputs_text(outputs: list[Path]) -> str:
    """The file a user opens first (the workbook, else report.json), and how many more were written."""
    if not outputs:
        return "—"
    first = next((p for p in outputs if p.name.endswith(".kamxl.xlsx")), outputs[0])
    return first.name + (f" +{len(outputs) - 1}" if len(outputs) > 1 else "")


def _print_outcomes(outcomes: list[Outcome], settings: Settings) -> None:
    """A line per file (forms, errors, warnings, what to open), where the outputs are, every error."""
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
    error_label = settings.label("ui.error")
    for o in outcomes:
        for i in o.errors:
            place = f" {i.place}" if i.place else ""
            console.print(f"  [bold red]{error_label}[/] {o.source.name}{place}: {settings.message(i)}")
    _print_summary(console, [i for o in outcomes for i in o.issues], len(outcomes), settings)


# -- demo -------------------------------------------------------------------------------------------
@main.command()
@out_option("Folder for the outputs.", default="kamxl-output")
@jobs_option
@with_common
def demo(out_dir: str, jobs: int | None, lang: str | None, config: str | None, debug: bool) -> None:
    """Process the bundled sample workbooks and say where to look. The
    samples are a regional plan of 华东区 for January to March 2026 (March
    holds every form), the plans of 华南区 and 西北区 for the same months, one
    workbook per form, an English plan and an HR appraisal export. They are
    reviewed as of the date they were written for, with a fresh history in
    --out, so the three months show how the funnel moved; then the regions
    are rolled up side by side (as kamxl rollup does).
    """
    import datetime as dt
    from importlib import resources

    settings = _settings(config, lang)
    out = Path(out_dir)
    history = out / DEFAULT_HISTORY
    # a fresh history each time: the three months of 华东区 show their movement, not last run's
    history.unlink(missing_ok=True)
    with resources.as_file(resources.files("kamxl.samples")) as folder:
        files = expand_inputs((str(folder),))
        if lang == "en":  # the English sample first; the Chinese ones still show what the workbooks look like
            files.sort(key=lambda path: not path.stem.endswith("-en"))
        as_of = dt.date.fromisoformat(settings.get("demo.as_of"))
        outcomes = _run_demo(files, out, settings, as_of, debug, history, jobs)
    _print_outcomes(outcomes, settings)
    stem = _first_to_open(outcomes, lang)
    out = out.resolve()
    click.echo("")
    click.echo(
        settings.label(
            "ui.demo_look",
            workbook=out / f"{stem}.kamxl.xlsx",
            summary=out / f"{stem}.summary.html",
            report=out / f"{stem}.report.json",
        )
    )
    _demo_rollup(out, history, settings)
    sys.exit(1 if any(outcome.errors for outcome in outcomes) else 0)


def _run_demo(
    files: list[Path],
    out: Path,
    settings: Settings,
    as_of: dt.date,
    debug: bool,
    history: Path,
    jobs: int | None,
) -> list[Outcome]:
    """The regions' monthly reviews filed in the history; the single forms, the English copy and the
    HR export only shown, so the roll-up counts each region once and no file name as a region.

    Each month's workbooks are reviewed as of that month's end (east-2026-01 on 2026-01-31), as a
    manager would have reviewed them, not all on ``as_of``: January's receivables are to date in
    January, and the roll-up does not call January's review late. The months run the earliest
    first, so each month's review finds the months before it in the history."""
    regional = re.compile(settings.get("demo.regional_pattern"))
    filed: dict[dt.date, list[Path]] = {}
    for path in files:
        if regional.search(path.stem):
            filed.setdefault(_month_end_of(path.stem, regional, as_of), []).append(path)
    shown = [path for path in files if not regional.search(path.stem)]
    outcomes = []
    for month_end, paths in sorted(filed.items()):
        outcomes += _run(paths, out, settings, month_end, debug, history, None, jobs)
    outcomes += _run(shown, out, settings, as_of, debug, None, None, jobs)
    order = {path: index for index, path in enumerate(files)}
    return sorted(outcomes, key=lambda outcome: order[outcome.source])


def _month_end_of(stem: str, regional: re.Pattern[str], default: dt.date) -> dt.date:
    """The last day of the month a regional sample's name states ("east-2026-01" → 2026-01-31), or
    ``default`` when the matched part names no year and month."""
    import datetime as dt

    from kamxl.calc.calendar import month_end

    found = regional.search(stem)
    numbers = [int(number) for number in re.findall(r"\d+", found.group(0))] if found else []
    if len(numbers) != 2 or not 1 <= numbers[1] <= 12:
        return default
    return month_end(dt.date(numbers[0], numbers[1], 1))


def _demo_rollup(out: Path, history: Path, settings: Settings) -> None:
    """The roll-up of the samples' regions for the latest month, and where it is."""
    from kamxl.rollup import rollup as roll_up

    outcome = roll_up(history, None, out, settings)
    workbooks = [path for path in outcome.outputs if path.name.endswith(".rollup.xlsx")]
    if workbooks:
        click.echo(settings.label("rollup.demo_look", workbook=workbooks[0]))


def _first_to_open(outcomes: list[Outcome], lang: str | None) -> str:
    """The stem of the sample to look at first: the English plan in English, else March of 华东区."""
    stems = [outcome.source.stem for outcome in outcomes]
    english = next((stem for stem in stems if stem.endswith("-en")), None) if lang == "en" else None
    return english or next((stem for stem in stems if stem == "east-2026-03"), stems[0])


# -- appraisal --------------------------------------------------------------------------------------
@main.command()
@click.argument("path", type=click.Path(dir_okay=False))
@out_option("Folder for the appraisal workbooks.")
@click.option("--split", is_flag=True, help="One workbook per employee instead of one with a sheet each.")
@click.option("--pdf", is_flag=True, help="Also print the workbooks to PDF (needs LibreOffice).")
@with_common
def appraisal(
    path: str, out_dir: str, split: bool, pdf: bool, lang: str | None, config: str | None, debug: bool
) -> None:
    """Write printable appraisal forms from an HR export. PATH is the HR
    system's export of the appraisal indicators and every
    employee's scores. --out gets <stem>.appraisal.xlsx (an overview and a
    form per employee; with --split, a workbook per employee instead) and
    <stem>.appraisal.json; with --pdf, a PDF of each workbook too.

    Exit status: 0 every employee appraised, 1 some employee or the file has errors, 2 usage errors.
    """
    from kamxl.hr import export_appraisal

    settings = _settings(config, lang)
    out = Path(out_dir)
    try:
        outcome = export_appraisal(path, out, settings, split=split, strict=debug)
    except Exception:
        if debug:
            traceback.print_exc()
            sys.exit(1)
        raise
    for written in outcome.outputs:
        click.echo(settings.label("appraisal.written", path=written))
    if pdf and outcome.outputs:
        _print_to_pdf([p for p in outcome.outputs if p.suffix == ".xlsx"], out, settings)
    failed = [employee for employee in outcome.employees if employee["grade"] is None]
    if outcome.employees:
        click.echo(
            settings.label(
                "appraisal.employees_summary",
                count=len(outcome.employees),
                ok=len(outcome.employees) - len(failed),
                errors=len(failed),
            )
        )
    for i in outcome.errors:
        place = f"{i.place} " if i.place else ""
        click.echo(f"  {settings.label('ui.error')} {place}{settings.message(i)}", err=True)
    sys.exit(1 if outcome.errors else 0)


def _print_to_pdf(workbooks: list[Path], out: Path, settings: Settings) -> None:
    """A PDF of each workbook through LibreOffice; one that fails is reported and the rest go on."""
    from kamxl.write.pdf import to_pdf

    for workbook in workbooks:
        try:
            click.echo(settings.label("appraisal.pdf_written", path=to_pdf(workbook, out)))
        except FileNotFoundError:
            click.echo(settings.label("appraisal.no_libreoffice"), err=True)
            break
        except Exception as exc:  # LibreOffice failed on one file: say so, go on
            detail = str(exc)[:200]
            click.echo(settings.label("appraisal.pdf_failed", name=workbook.name, detail=detail), err=True)


# -- watch ------------------------------------------------------------------------------------------
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
@history_option
@no_history_option
@click.option("--region", help="File every review under this region.")
@click.option(
    "--rollup",
    "rollup_dir",
    is_flag=False,
    flag_value="",
    default=None,
    metavar="[DIR]",
    help="Keep the roll-up of the latest period up to date in DIR (default: OUT/rollup) after each file.",
)
@click.option(
    "--status",
    "show_status",
    is_flag=True,
    help="Print how the drop folder stands (queue, files in progress, today's counts, last error, "
    "history) and exit.",
)
@with_common
def watch(
    inbox: str,
    outbox: str,
    poll: float | None,
    as_of: dt.date | None,
    history: str | None,
    no_history: bool,
    region: str | None,
    rollup_dir: str | None,
    show_status: bool,
    lang: str | None,
    config: str | None,
    debug: bool,
) -> None:
    """Process every workbook dropped into INBOX, until stopped. A file is
    processed into --out, as by the process command, once it has stopped
    changing; then it moves to INBOX/done/, or, when it cannot be processed,
    to INBOX/failed/ with <name>.error.txt saying why. Lock, hidden and
    temporary files are left alone. Several watchers may watch one INBOX,
    and a watcher killed at any moment has its file finished by the next.
    Ctrl-C or SIGTERM stops after the current file (or puts it back into
    INBOX if it takes longer than watch.stop_grace_seconds). --status prints
    how the folder stands (also in OUTBOX/status.json). --rollup keeps the
    roll-up of the latest period up to date (as the rollup command writes it).
    """
    import datetime as dt

    from kamxl.watch import Watcher, read_status, status_lines
    from kamxl.write.files import escape_controls

    settings = _settings(config, lang)
    out = Path(outbox)
    if show_status:
        for line in status_lines(read_status(Path(inbox), out, settings), settings):
            click.echo(line)
        return

    def log(line: str) -> None:
        click.echo(f"{dt.datetime.now():%Y-%m-%d %H:%M:%S} {escape_controls(line)}", err=True)

    history_path = _history_path(out, history, no_history)
    if rollup_dir is not None and history_path is None:
        raise click.UsageError(settings.label("ui.watch_rollup_needs_history"))
    watcher = Watcher(
        Path(inbox),
        out,
        settings,
        history=history_path,
        region=region,
        as_of=as_of,
        poll=poll,
        rollup=None if rollup_dir is None else Path(rollup_dir or out / "rollup"),
        log=log,
    )
    watcher.stop_on_signals()
    log(settings.label("ui.watch_started", inbox=Path(inbox).resolve(), outbox=out.resolve()))
    watcher.run()
    log(settings.label("ui.watch_stopped"))


# -- rollup ---------------------------------------------------------------------------------------
@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--period", metavar="YYYY-MM", help="The month to roll up (default: the latest filed).")
@history_option
@out_option("Folder of the regions' reports, and for the roll-up.", default="kamxl-output")
@jobs_option
@with_common
def rollup(
    paths: tuple[str, ...],
    period: str | None,
    history: str | None,
    out_dir: str,
    jobs: int | None,
    lang: str,
    config: str | None,
    debug: bool,
) -> None:
    """Review every region side by side for one month. From the history
    database (the regions' report.json in --out give the links to their
    workbooks) it writes <org>-<period>.rollup.xlsx (a one-page dashboard, the
    regions, the salespeople, trends, completeness and what needs attention),
    .rollup.json and a summary (.summary.html and .md), all or none.
    Workbooks or folders given as PATHS are processed into --out and filed
    first.

    Exit status: 0 written, 1 nothing to roll up or a workbook has errors, 2 usage errors.
    """
    import re

    from kamxl.rollup import rollup as roll_up

    if period is not None and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", period):
        raise click.BadParameter(f"{period!r} is not a month like 2026-03", param_hint="--period")
    settings = _settings(config, lang)
    out = Path(out_dir)
    files = _inputs(paths) if paths else []
    outcome = roll_up(
        _history_path(out, history, False) or out,
        period,
        out,
        settings,
        inputs=files,
        jobs=jobs,
        strict=debug,
    )
    if outcome.processed:
        _print_outcomes(outcome.processed, settings)
    for issue in outcome.issues:
        if issue.severity != "info":
            click.echo(f"{settings.label(f'ui.{issue.severity}')} {settings.message(issue)}", err=True)
    for path in outcome.outputs:
        click.echo(settings.label("rollup.written", path=path))
    failed = outcome.errors or any(processed.errors for processed in outcome.processed)
    sys.exit(1 if failed else 0)


# -- template ---------------------------------------------------------------------------------------
@main.command()
@click.argument("forms", nargs=-1)
@out_option("Folder to write the blank forms into.")
@with_common
def template(forms: tuple[str, ...], out_dir: str, lang: str | None, config: str | None, debug: bool) -> None:
    """Write blank forms in the course's layout, ready to fill in. All ten
    forms, or only the FORMS named (receivables, pnl, activities, calendar,
    todo, weekly, monthly, worklog, customers, appraisal), each as
    <form>.xlsx in --out; check and process read them as they are filled in.
    """
    from kamxl.read.header import FORM_NAMES
    from kamxl.write.template import write_template

    settings = _settings(config, lang)
    unknown = [form for form in forms if form not in FORM_NAMES]
    if unknown:
        raise click.UsageError(f"unknown form(s): {', '.join(unknown)}; choose from {', '.join(FORM_NAMES)}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for form in forms or FORM_NAMES:
        path = write_template(form, out, settings)
        click.echo(settings.label("ui.template_written", path=path))


if __name__ == "__main__":  # pragma: no cover
    main()
