"""Command line (SPEC §7). Thin: parse options, call one library function,
map the outcome to an exit code.

Messages are in the user's language (README "Messages"): --lang when
given, else the report's once it is known (a KamError raised after that
carries it), else the locale's (LC_ALL, LC_MESSAGES, LANG: zh...), else
English."""
from __future__ import annotations

import sys

import click

from . import __version__
from .errors import ERR, OK, KamError
from .texts import locale_lang, text


LANG = click.Choice(["zh", "en"])


def _said(lang: str | None) -> str:
    """The language of a message worded here: --lang, else the locale's."""
    return lang or locale_lang()


def _failed(e: KamError, lang: str | None) -> click.ClickException:
    """A KamError as the one line the CLI prints (exit 1)."""
    return click.ClickException(e.worded(_said(lang)))


def _option_lang(ctx: click.Context) -> str:
    # --lang is eager: parsed before the options whose callbacks word a message.
    return _said(ctx.params.get("lang"))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kamreport", message="%(prog)s %(version)s")
def main() -> None:
    """Key-account plans and quarterly review booklets from Excel workbooks.

    \b
    Examples:
      kamreport init inputs/sample.xlsx --lang zh
      kamreport validate inputs/sample.xlsx
      kamreport build inputs/sample.xlsx --period 2026Q3
      kamreport send --period 2026Q3 --to boss@example.com --dry-run
    """


@main.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--lang", type=LANG, default="zh", show_default=True, help="Language of sheet names and headers.")
@click.option("--blank", is_flag=True, help="Write an empty template instead of sample data.")
@click.option("--customers", type=click.IntRange(1, 100_000), default=150, show_default=True, help="Number of sample customers.")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed; the same seed gives the same data.")
def init(path: str, lang: str, blank: bool, customers: int, seed: int) -> None:
    """Write a realistic sample workbook, or with --blank an empty template.

    \b
    Examples:
      kamreport init sample.xlsx --lang en --customers 300 --seed 7
      kamreport init template.xlsx --blank --lang zh
    """
    from .sample.workbooks import write_workbook
    try:
        write_workbook(path, lang=lang, blank=blank, customers=customers, seed=seed)
    except KamError as e:
        raise _failed(e, lang)
    click.echo(text("cli.wrote", lang, path=path))


@main.command()
@click.argument("workbooks", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--lang", type=LANG, default=None, help="Language of the messages (default: from the workbook).")
@click.option("--map", "map_file", type=click.Path(dir_okay=False, exists=True), help="Columns mapping (.xlsx or .csv): sheet, column, field, unit, value, means.")
@click.option("--json", "as_json", is_flag=True, help="Print how each sheet was understood, the rows and the problems as JSON.")
def validate(workbooks: tuple[str, ...], lang: str | None, map_file: str | None, as_json: bool) -> None:
    """Check workbooks and print every problem as file:Sheet!C17: severity: message.

    Exits 1 when there is a fatal or error problem.

    \b
    Example:
      kamreport validate customers.xlsx sales-2026.xlsx --lang en
    """
    from .inputs.read import read_workbooks
    from .inputs.explain import print_validation
    from .engine.settings import with_setting_problems
    data = with_setting_problems(read_workbooks(list(workbooks), lang=lang, map_file=map_file), lang)
    if as_json:
        import json
        from .inputs.explain import as_json as to_json
        click.echo(json.dumps(to_json(data), ensure_ascii=False, indent=1))
        sys.exit(ERR if any(p.severity in ("fatal", "error") for p in data.problems) else OK)
    bad = print_validation(data, lang=lang or data.language)
    sys.exit(ERR if bad else OK)


def _period_option(ctx, param, value):
    """A misspelt --period is a usage error (exit 2), like any bad option."""
    if value is None:
        return None
    from .engine.period import parse_period
    try:
        return parse_period(value).label
    except KamError as e:
        raise click.BadParameter(_without_option(e.worded(_option_lang(ctx)), "--period"))


def _without_option(message: str, option: str) -> str:
    """Click names the option itself ("Invalid value for '--period': ...")."""
    return message.removeprefix(option + ": ").removeprefix(option + "：")


def _build_formats(ctx, param, value):
    """--format as the set of formats, parsed here once; a misspelt one is a
    usage error (exit 2)."""
    from .build.pipeline import parse_formats
    try:
        return parse_formats(value)
    except KamError as e:
        raise click.BadParameter(_without_option(e.worded(_option_lang(ctx)), "--format"))


@main.command()
@click.argument("workbooks", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--period", callback=_period_option, help="2026Q3 (also 2026-Q3, 2026q3) or a month 2026-08. Default: from the data.")
@click.option("--out", "out_dir", default="out", show_default=True, type=click.Path(file_okay=False), help="Output root; files go to OUT/<period>/.")
@click.option("--format", "formats", default="html,pdf,json", show_default=True, callback=_build_formats, help="Comma-separated: html, pdf, json, pptx (booklet.pptx, the deck), xlsx (results.xlsx).")
@click.option("--accounts", type=click.Choice(["key", "all"]), default="key", show_default=True, help="Account plans for key accounts or every customer.")
@click.option("--lang", type=LANG, default=None, is_eager=True,
              help="Report language, and of the messages (default: the language setting, else from the headers).")
@click.option("--templates", "templates_dir", type=click.Path(file_okay=False, exists=True), help="Folder whose templates override the packaged ones by name.")
@click.option("--policy", type=click.Path(dir_okay=False, exists=True), help="Markdown file with the company's KAM policy, for the appendix.")
@click.option("--jobs", type=click.IntRange(1, 64), default=None, help="Worker processes for PDF rendering (default: number of cores).")
@click.option("--strict", is_flag=True, help="Exit 1 when any row was rejected.")
@click.option("--quiet", is_flag=True, help="No progress bar, only errors.")
@click.option("--fail-on-risk", type=click.Choice(["high", "medium"]), default=None, help="Exit 3 when any account has a risk of this severity (or higher).")
@click.option("--map", "map_file", type=click.Path(dir_okay=False, exists=True), help="Columns mapping (.xlsx or .csv) for every input: sheet, column, field, unit, value, means.")
@click.option("--packs", type=click.Choice(["managers"]), default=None, help="managers: one PDF per account manager (managers/<slug>.pdf): scorecard, risks and next steps, their key accounts' plans.")
def build(workbooks, period, out_dir, formats, accounts, lang, templates_dir, policy, jobs, strict, quiet, fail_on_risk,
          map_file, packs) -> None:
    """Build account plans, the quarterly booklet, summary.json and problems.csv.

    \b
    Examples:
      kamreport build inputs/sample-zh.xlsx
      kamreport build crm.xlsx sales.xlsx --period 2026Q3 --out reports --jobs 2
      kamreport build crm.xlsx --period 2026-08 --format json --fail-on-risk high
    """
    if packs and "pdf" not in formats:
        raise click.UsageError(text("build.packs_need_pdf", _said(lang)))
    from .pdf.ground import main_check
    # Before any work: a CJK font, WeasyPrint, a writable out folder with room.
    refused = main_check(workbooks=list(workbooks), out_dir=out_dir, formats=formats, lang=lang, quiet=quiet)
    if refused is not None:
        sys.exit(refused)
    from .build.pipeline import run_build
    try:
        code = run_build(
            workbooks=list(workbooks), period=period, out_dir=out_dir, formats=formats,
            accounts=accounts, lang=lang, templates_dir=templates_dir, policy=policy,
            jobs=jobs, strict=strict, quiet=quiet, fail_on_risk=fail_on_risk, map_file=map_file, packs=packs)
    except KamError as e:
        raise _failed(e, lang)
    sys.exit(code)


@main.command()
@click.option("--out", "out_dir", default="out", show_default=True, type=click.Path(file_okay=False), help="Output root used by build.")
@click.option("--period", callback=_period_option, help="2026Q3 (also 2026-Q3, 2026q3) or 2026-08 (default: the latest built).")
@click.option("--to", "to", multiple=True, help="Recipient; repeat for several (default: the mail_to setting).")
@click.option("--attach-accounts", is_flag=True, help="Also attach the account plan PDFs.")
@click.option("--dry-run", is_flag=True, help="Write .eml files to OUT/<period>/mail/ instead of sending.")
@click.option("--per-manager", is_flag=True, help="Mail each account manager their pack (build --packs managers) at their Staff email.")
@click.option("--resend", is_flag=True, help="Send again even if sent.json says it was sent.")
def send(out_dir, period, to, attach_accounts, dry_run, per_manager, resend) -> None:
    """Mail the booklet PDF (and account plans) over SMTP.

    SMTP comes from KAMREPORT_SMTP_HOST, _PORT, _USER, _PASSWORD,
    _SECURITY (starttls | ssl | none), KAMREPORT_SMTP_CAFILE and
    KAMREPORT_MAIL_FROM. The server certificate is always verified. Each
    recipient gets one message; OUT/<period>/mail/sent.json records it, so
    a rerun skips who already got the period (see docs/automation.md).

    \b
    Examples:
      kamreport send --period 2026Q3 --to ceo@example.com --dry-run
      KAMREPORT_SMTP_HOST=smtp.example.com kamreport send --to ceo@example.com
      kamreport send --period 2026Q3 --per-manager --dry-run
    """
    if per_manager and (to or attach_accounts):
        raise click.UsageError(text("cli.per_manager_alone", _said(None)))
    from .deliver.send import run_send
    try:
        code = run_send(out_dir=out_dir, period=period, to=list(to), attach_accounts=attach_accounts,
                        dry_run=dry_run, resend=resend, per_manager=per_manager)
    except KamError as e:
        raise _failed(e, None)      # in the period's language once it was found
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
