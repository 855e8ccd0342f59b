"""The `redcross` command: run the nightly job, write reports, and run the bundled demo."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

# Python caches what it compiles unless PYTHONDONTWRITEBYTECODE is set, as it is in many container
# images: then every command would compile Prefect, Great Expectations and polars afresh. The command
# caches its own imports from here on (the first run pays once, in __pycache__ beside the modules);
# its helper processes are started without the variable (flows.plumbing.processes).
sys.dont_write_bytecode = False

DEMO_MARK = ".redcross-demo"


def _logs(args: argparse.Namespace, root: str | os.PathLike | None) -> None:
    """The data manager reads the run's progress and summary; Prefect's and Great Expectations' own
    logs go to <home>/logs/redcross.log (its path said once), or with --verbose to the terminal.
    Call before Prefect is imported, and before helper processes start: they log where this does."""
    from redcross.core.logs import log_to_file, log_to_terminal

    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")  # no network here to send it to
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO")
    if args.verbose:
        log_to_terminal()
        return
    from redcross.read.home import Home

    path = log_to_file(Home.resolve(root).log_file)
    print(f"日志 / log: {path}", file=sys.stderr)


def _with_runner(flow, args: argparse.Namespace):
    """The flow with the task runner asked for on the command line (else the settings' default)."""
    if not args.task_runner and not args.dask_address:
        return flow
    return flow.with_options(task_runner=args.task_runner, dask_address=args.dask_address)


def _runner_options(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--task-runner", choices=["threads", "processes", "dask"],
                     help="where files are read: threads (default), processes, or dask (also $REDCROSS_TASK_RUNNER)")
    sub.add_argument("--dask-address", help="an existing Dask scheduler, e.g. tcp://10.0.0.5:8786 (implies dask)")


def _validation_early() -> None:
    """Have the validation process import GX while this one imports the rest (and opens the warehouse)."""
    from redcross.flows.plumbing.processes import start_validation_early

    start_validation_early()


def cmd_run(args: argparse.Namespace) -> int:
    from redcross.read.home import Home

    Home.resolve(args.home).registry()  # a registry or formula that cannot be used stops here, before any flow (see main)
    _logs(args, args.home)
    _validation_early()
    from redcross.flows.nightly import nightly
    from redcross.flows.plumbing.writing_run import RunInProgress

    try:
        summary = _with_runner(nightly, args)(home=args.home, wait=not args.no_wait)
    except RunInProgress as exc:
        print(exc, file=sys.stderr)
        return 3
    print(summary.text())
    return 0


def _month_ok(month: int) -> bool:
    """A period's last month is 1-12; else one line saying so (the caller exits 2, writing nothing)."""
    if 1 <= month <= 12:
        return True
    print(f"月份应为1-12 / --month must be 1-12, not {month}", file=sys.stderr)
    return False


def _published_home(given: str | None):
    """The home, if it has a published warehouse; else None, having said so."""
    from redcross.read.home import Home

    home = Home.resolve(given)
    if not home.published.exists():
        print(f"还没有发布的数据库 / no published warehouse at {home.published}: run `redcross run` first",
              file=sys.stderr)
        return None
    return home


def cmd_report(args: argparse.Namespace) -> int:
    from redcross.report.files import write_report
    from redcross.report.model import build_report
    from redcross.report.text_formats import to_json, to_markdown
    from redcross.warehouse import queries
    from redcross.warehouse.snapshot import open_warehouse

    if not _month_ok(args.month):
        return 2
    home = _published_home(args.home)
    if home is None:
        return 2
    with open_warehouse(home.published) as con:
        if not queries.year_held(con, args.year):
            held = "、".join(str(y) for y in queries.years_held(con)) or "无 / none"
            print(f"数据库中没有{args.year}年的数字 / the warehouse holds no figures for {args.year} "
                  f"(它有 / it has: {held}); 未写报告 / no report written", file=sys.stderr)
            return 2
        report = build_report(con, home.registry(), args.year, args.month)
    if args.format in ("xlsx", "html", "csv"):
        out = Path(args.out) if args.out else home.report_path(args.year, args.month, args.format)
        write_report(report, args.format, out)
        print(f"报告已写入 / report written to {out}")
        return 0
    text = to_json(report) if args.format == "json" else to_markdown(report)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"报告已写入 / report written to {args.out}")
    else:
        print(text)
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from redcross.read.home import Home
    from redcross.report.template import write_template

    if not _month_ok(args.month):
        return 2
    registry = Home.resolve(args.home).registry()
    unit = registry.unit_for(args.unit)
    if unit is None:
        known = ", ".join(u.code for u in registry.units)
        print(f"未知单位 / unknown unit {args.unit!r}: one of {known}", file=sys.stderr)
        return 2
    write_template(registry, unit, args.year, Path(args.out), args.month)
    print(f"空白报表已写入 / blank form written to {args.out}")
    return 0


def cmd_backfill(args: argparse.Namespace) -> int:
    from redcross.flows.backfill import backfill, parse_years

    try:
        parse_years(args.years)
    except ValueError as exc:
        print(f"年份写法不对 / bad --years: {exc}", file=sys.stderr)
        return 2
    if args.source and not Path(args.source).is_dir():
        print(f"没有这个文件夹 / no such folder: {args.source}", file=sys.stderr)
        return 2
    from redcross.read.home import Home

    codes = [u.code for u in Home.resolve(args.home).registry().units]
    if args.unit and args.unit not in codes:
        print(f"未知单位 / unknown unit {args.unit!r}: one of {', '.join(codes)}", file=sys.stderr)
        return 2
    _logs(args, args.home)
    _validation_early()
    from redcross.flows.plumbing.writing_run import PeriodsLocked

    try:
        summary = _with_runner(backfill, args)(years=args.years, unit=args.unit, source=args.source, home=args.home)
    except PeriodsLocked as refused:
        print(refused, file=sys.stderr)
        return 2
    print(summary.text())
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from redcross.report.status import status_text
    from redcross.warehouse.snapshot import open_warehouse

    home = _published_home(args.home)
    if home is None:
        return 2
    with open_warehouse(home.published) as con:
        print(status_text(con, args.runs, args.year))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    _logs(args, args.home)
    from redcross.flows.serving import ServerUnreachable, check_server, serve_deployments
    from redcross.read.home import Home

    try:
        url = check_server()
    except ServerUnreachable as exc:
        print(exc, file=sys.stderr)
        return 2
    home = Home.resolve(args.home)
    print(f"服务器 / server {url}; 数据目录 / home {home.root}\n"
          "nightly/nightly: 每天 02:00 (Asia/Shanghai); backfill/backfill: 按需 / on demand. Ctrl-C 停止 / to stop.")
    serve_deployments(str(home.root))
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    from redcross.read.home import Home

    root = Path(args.folder).absolute()
    if (root / "inbox").is_dir():
        print(f"{root} 已是数据目录，未做改动 / is a home already; nothing changed")
        return 0
    home = Home.create(root)
    print(f"数据目录已建好 / home made: {home.root}\n"
          f"  各单位的报表放入 / forms go into: {home.inbox}\n"
          f"  省定目标放入 / targets go into: {home.targets}\n"
          f"  然后 / then: redcross run --home {home.root}")
    return 0


# The demo replays the office's 2017 (北京时间): each night, the sample files that landed in the inbox
# that day, then the run. 新昌县 sends its 1-6月 form a week late, with 诸暨市's correction; 开发区
# sends none. 2017's full year lands on 21 January 2018, in time only because the due date moved
# past the weekend. The demo's calendar.toml says what is due when.
DEMO_NIGHTS = (
    ("2017-01-12T22:00", ("inbox/*2016*",)),
    ("2017-07-10T22:00", ("midyear/*",)),
    ("2017-07-17T22:00", ("later/*",)),
    ("2018-01-21T22:00", ("inbox/*2017*",)),
)
DEMO_LATER = ("新昌县 2017年1-6月 工作统计表.xlsx", "诸暨市红十字会2017年1-6月工作统计表（更正）.xlsx")  # sample/later/
DEMO_CALENDAR = """\
# The demo office's reporting calendar (报送日历). A period 1..m is due by the end of the 10th of
# month m+1 (北京时间), the full year by 20 January of the next; 20-21 January 2018 are a weekend,
# so 2017's full year is due on Monday the 22nd (遇节假日顺延). No `months`: the periods expected are
# those the units report (here 1-6月 and the full year; 2016 had no half-year form).
due_day = 10
annual_due = "01-20"
holidays = ["2018-01-20", "2018-01-21"]
"""


def cmd_demo(args: argparse.Namespace) -> int:
    root = Path(args.home or "./redcross-demo").absolute()
    if root.exists():
        if not (root / DEMO_MARK).exists():
            print(f"{root} 已存在且不是演示目录，未做改动 / exists and is not a demo home; left untouched",
                  file=sys.stderr)
            return 2
        shutil.rmtree(root)
    make_demo_home(root)
    _logs(args, root)
    _validation_early()
    from redcross.core import clock
    from redcross.flows.nightly import nightly
    from redcross.flows.plumbing.processes import keep_validation_between_runs

    keep_validation_between_runs()  # the demo's nights, one after another, import GX once
    print(f"演示目录 / demo home: {root}")
    try:
        for when, patterns in DEMO_NIGHTS:
            for pattern in patterns:
                for path in sorted((root / "sample").glob(pattern)):
                    # a copy, as an e-mailed form lands: it keeps its modification time, and lands now
                    shutil.copy2(path, root / "inbox" / path.name)
                    path.unlink()
            os.environ[clock.NOW_VARIABLE] = when
            summary = nightly(home=str(root), today=clock.today())
            print(f"{when.replace('T', ' ')} 北京时间: {summary.headline()}")
    finally:
        os.environ.pop(clock.NOW_VARIABLE, None)
    print()
    print(summary.text())
    print()
    status = cmd_report(argparse.Namespace(home=str(root), year=2017, month=12, format="md", out=None))
    print(f"年中的报告（序时进度、各单位排名、修订、报送情况）/ the mid-year report: "
          f"redcross report --home {root} --year 2017 --month 6")
    return status


def make_demo_home(root: Path) -> None:
    """A new home with the bundled forms waiting in sample/ (full years in inbox/, 2017年1-6月 in
    midyear/, the two that come later in later/), the targets (the province's and the units') in
    targets/ and the demo's calendar.toml. Each form is dated as the sample's modified.csv says: git
    keeps no file times, and which of 诸暨市's two mid-year forms is the correction depends on them."""
    from redcross.read.home import Home

    sample = resources.files("redcross.cli").joinpath("sample_data")
    Home.create(root)
    (root / DEMO_MARK).write_text("made by `redcross demo`; safe to delete\n", encoding="utf-8")
    (root / "calendar.toml").write_text(DEMO_CALENDAR, encoding="utf-8")
    for folder, into in (("inbox", "sample/inbox"), ("midyear", "sample/midyear"), ("targets", "targets")):
        with resources.as_file(sample.joinpath(folder)) as source:
            shutil.copytree(source, root / into, copy_function=shutil.copy2, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("README*"))
    later = root / "sample" / "later"
    later.mkdir()
    for name in DEMO_LATER:
        (root / "sample" / "midyear" / name).rename(later / name)
    modified = sample.joinpath("modified.csv").read_text("utf-8").splitlines()[1:]
    for line in modified:
        name, stamp = line.rsplit(",", 1)
        folder, name = name.split("/", 1)
        when = datetime.fromisoformat(stamp).replace(tzinfo=UTC).timestamp()
        os.utime(root / "sample" / ("later" if name in DEMO_LATER else folder) / name, (when, when))



# --- redcross check: a form's verdict before it is taken in (a dry run) -------------------

def _checkable_files(given: list[str]) -> list[Path] | None:
    """The files to check, each once; None if any is missing or a folder, each said in one line. What a
    run leaves alone (an Excel owner file, a lock file, a partial download) is said and not checked."""
    from redcross.read.arrivals import is_not_a_form

    paths = list(dict.fromkeys(Path(p).absolute() for p in given))
    refused = False
    for path in list(paths):
        shown = os.fsencode(path).decode("utf-8", "replace")  # a name from a GBK machine prints as �
        if is_not_a_form(path):
            print(f"不是报表（编辑中的临时文件或未下载完的文件），运行时不读取 / not a form (an owner, lock or "
                  f"partial download file), which a run leaves alone: {shown}", file=sys.stderr)
            paths.remove(path)
        elif path.is_dir():
            print(f"是文件夹，不是报表文件 / a folder, not a form: {shown}", file=sys.stderr)
            refused = True
        elif not path.is_file():
            print(f"没有这个文件 / no such file: {shown}", file=sys.stderr)
            refused = True
    return None if refused else paths


def cmd_check(args: argparse.Namespace) -> int:
    """Each file's verdict as the next run would give it, changing nothing; exit 0, 1 or 2."""
    from redcross.read.home import Home

    paths = _checkable_files(args.files)
    if paths is None:
        return 2
    home = Home.found(args.home)  # never created: a dry run makes nothing
    _validation_early()
    from redcross.flows.check import check_files
    from redcross.report.verdicts import exit_status, verdicts_json, verdicts_text

    verdicts = check_files(paths, home)
    print(verdicts_json(verdicts) if args.format == "json" else verdicts_text(verdicts))
    return exit_status(verdicts)


def _check_command(command) -> None:
    check = command("check", "each file's verdict as the next run would give it (接收, 接收（有提示）, 退回, "
                    "已接收过) with every problem, changing nothing: exit 0 accepted, 1 warnings only, 2 any rejected",
                    cmd_check)
    check.add_argument("files", nargs="+", metavar="FILE", help="the forms to check (anywhere, not only the inbox)")
    check.add_argument("--format", choices=["text", "json"], default="text")


# --- review: the data manager's decision on a warning -----------------------------------

DECISIONS = {"confirmed": "已确认，数字成立 / confirmed: the figure stands",
             "queried": "已要求单位更正 / queried: the unit is asked to correct it"}


def cmd_review(args: argparse.Namespace) -> int:
    """Record `confirmed` or `queried` for a warning of the submission in force, and publish."""
    from redcross.core.periods import period_label
    from redcross.flows.review import NoSuchWarning, record_review
    from redcross.read.home import Home

    home = Home.resolve(args.home)
    registry = home.registry()
    review = _review_asked(args, registry)
    if review is None:
        return 2
    if not home.writer.exists():
        print(f"还没有数据库 / no warehouse at {home.writer}: run `redcross run` first", file=sys.stderr)
        return 2
    what = (f"{registry.unit(review.unit_code).name} {period_label(review.year, review.month)} "
            f"{registry.indicator(review.indicator_code).name} {review.rule}")
    try:
        submission_id = record_review(home, review)
    except NoSuchWarning as missing:
        in_force = "、".join(f"{registry.indicator(c).name if c else ''} {r}".strip() for c, r in missing.in_force)
        print(f"在用的报表没有这条提示 / no such warning on the form in force: {what}"
              f"（该期的提示 / its warnings: {in_force or '无 / none'}）", file=sys.stderr)
        return 2
    print(f"已记录 / recorded: {what} → {DECISIONS[review.decision]}（{submission_id}）；已发布 / published")
    return 0


def _review_asked(args: argparse.Namespace, registry):
    """The review the arguments ask for, unit and indicator as people write them; None, having said
    why in one line, when a month, unit, indicator or note cannot be."""
    from redcross.core.labels import split_label
    from redcross.core.remarks import kept_remark
    from redcross.warehouse.writer import Review

    if not _month_ok(args.month):
        return None
    unit = registry.unit_for(args.unit)
    code = registry.indicator_keys.get(split_label(args.indicator)[0])
    note = kept_remark(args.note)  # kept as a remark is: one line, at most 200 characters, numbers masked
    if unit is None:
        print(f"未知单位 / unknown unit {args.unit!r}: one of {'、'.join(u.name for u in registry.units)}", file=sys.stderr)
    elif code is None:
        names = "、".join(i.name for i in registry.indicators)
        print(f"未知指标 / unknown indicator {args.indicator!r}: one of {names}", file=sys.stderr)
    elif note is None:
        print("请写明审核意见 / --note must say why (what the unit said, or what was asked of it)", file=sys.stderr)
    else:
        decision = "confirmed" if args.confirm else "queried"
        return Review(unit.code, args.year, args.month, code, args.rule, decision, note)
    return None


def _review_command(command) -> None:
    review = command("review", "record the data manager's decision on a warning of the form in force: "
                     "--confirm (the figure stands) or --query (the unit is asked to correct it)", cmd_review)
    review.add_argument("--unit", required=True, help="unit name or code, e.g. 柯桥区 or keqiao")
    review.add_argument("--year", type=int, required=True)
    review.add_argument("--month", type=int, default=12, help="last month of the period (default 12, the full year)")
    review.add_argument("--indicator", required=True, help="indicator name or code, e.g. 捐赠收入 or donation_income")
    review.add_argument("--rule", required=True, help="the warning's rule, e.g. yoy_outlier or prior_mismatch")
    decision = review.add_mutually_exclusive_group(required=True)
    decision.add_argument("--confirm", action="store_true", help="the figure stands (confirmed)")
    decision.add_argument("--query", action="store_true", help="the unit was asked to correct it (queried)")
    review.add_argument("--note", required=True, help="why: what the unit said, or what was asked of it (kept on one "
                        "line, at most 200 characters, phone and ID numbers masked)")


# --- lock, unlock: a period closed once its figures are quoted, and opened again ----------

def cmd_lock(args: argparse.Namespace) -> int:
    """Close the period (the whole year without --month) and publish; exit 2, changing nothing, if it
    is locked already."""
    from redcross.core.locks import Lock, period_named
    from redcross.flows.locks import lock_period

    asked = _lock_asked(args)
    if asked is None:
        return 2
    home, reason = asked
    lock_period(home, Lock(args.year, args.month, reason))  # refused: main says so in one line, exit 2
    zh, en = period_named(args.year, args.month)
    print(f"已封账 / locked: {zh} / {en}（{reason}）；该期报表不再接收 / no form for it is taken in；"
          "已发布 / published")
    return 0


def cmd_unlock(args: argparse.Namespace) -> int:
    """Open the period again and publish; exit 2, changing nothing, if it is not locked."""
    from redcross.core.locks import period_named
    from redcross.flows.locks import unlock_period

    asked = _lock_asked(args)
    if asked is None:
        return 2
    home, reason = asked
    locked_for = unlock_period(home, args.year, args.month, reason)  # refused: main says so, exit 2
    zh, en = period_named(args.year, args.month)
    print(f"已解锁 / unlocked: {zh} / {en}（封账原因 / locked for: {locked_for}；解锁原因 / reason: {reason}）；"
          "已发布 / published")
    return 0


def _lock_asked(args: argparse.Namespace):
    """The home and the reason a lock or unlock asks for; None, having said why in one line, when the
    month or the reason cannot be."""
    from redcross.core.remarks import kept_remark
    from redcross.read.home import Home

    if args.month is not None and not _month_ok(args.month):
        return None
    reason = kept_remark(args.reason)  # kept as a remark is: one line, at most 200 characters, numbers masked
    if reason is None:
        print("请写明原因 / --reason must say why", file=sys.stderr)
        return None
    return Home.resolve(args.home), reason


def _lock_commands(command) -> None:
    for name, handler, help_text in (
        ("lock", cmd_lock, ("close a period once its figures are quoted (封账): a form for it is then quarantined "
                           "(period_locked) and a backfill over it refuses to start")),
        ("unlock", cmd_unlock, ("open a locked period again, with the reason; the next forms for it are revisions "
                               "after the lock")),
    ):
        sub = command(name, help_text, handler)
        sub.add_argument("--year", type=int, required=True)
        sub.add_argument("--month", type=int, help="the period 1..month of the year (12 = the full year's "
                                                   "figures); without it the whole year, every period of it")
        sub.add_argument("--reason", required=True, help="why, e.g. the report the figures were quoted in (kept on "
                         "one line, at most 200 characters, phone and ID numbers masked)")


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="redcross", description="绍兴市红十字会统计数据处理 / Shaoxing Red Cross statistics pipeline")
    commands = top.add_subparsers(dest="command", required=True)

    def command(name: str, help_text: str, handler) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--home", help="the home folder, made by `redcross init` (default: $REDCROSS_HOME or ./redcross-data)")
        sub.set_defaults(handler=handler)
        return sub

    run = command("run", "the nightly job, once, now: take in the inbox and republish the warehouse", cmd_run)
    _runner_options(run)
    run.add_argument("--no-wait", action="store_true",
                     help="exit at once (status 3) if another run is writing to this home, instead of waiting")
    report = command("report", "write the report for a period from the published warehouse", cmd_report)
    report.add_argument("--year", type=int, required=True)
    report.add_argument("--month", type=int, default=12, help="last month of the period (default 12, the full year)")
    report.add_argument("--format", choices=["json", "md", "html", "xlsx", "csv"], default="md")
    report.add_argument("--out", help="write to this file instead of printing (html, xlsx and csv default to "
                                      "<home>/reports/<year>/report-<year>-<month>.<format>)")
    template = command("template", "a blank statistics form for a unit and year, to send to the unit",
                       cmd_template)
    template.add_argument("--year", type=int, required=True)
    template.add_argument("--month", type=int, default=12, help="last month of the period (default 12, the full year)")
    template.add_argument("--unit", required=True, help="unit code or name, e.g. keqiao or 柯桥区")
    template.add_argument("--out", required=True, help="the .xlsx file to write")
    backfill = command("backfill", "load chosen years again, from a folder of historical files (district forms or "
                       "the city's summary workbooks) or, without --source, from the archive", cmd_backfill)
    backfill.add_argument("--years", required=True, help="2015-2017, 2015,2017 or 2016")
    backfill.add_argument("--unit", help="only this unit (its code, e.g. keqiao)")
    backfill.add_argument("--source", help="folder of historical files (default: the archive of accepted originals)")
    _runner_options(backfill)
    status = command("status", "the last runs, what each accepted and rejected and why, warnings waiting, "
                     "units that have not reported the latest period", cmd_status)
    status.add_argument("--runs", type=int, default=5, help="how many recent runs to show (default 5)")
    status.add_argument("--year", type=int, help="also print the year's coverage grid: units down, the periods in "
                                                 "use across, each cell 已报 (accepted), 退回 (rejected) or 缺报 (missing)")
    serve = command("serve", "serve the Prefect deployments against a running Prefect server (PREFECT_API_URL): "
                    "nightly at 02:00 Asia/Shanghai, and backfill on demand with parameters", cmd_serve)
    init = commands.add_parser("init", help="make a home folder (inbox, archive, quarantine, targets, reports, "
                               "warehouse); every other command refuses a folder that is not one",
                               description="make a home folder; every other command refuses a folder that is not one")
    init.add_argument("folder", help="the folder to make (new, or empty)")
    init.set_defaults(handler=cmd_init)
    demo = command("demo", "a fresh demo home (./redcross-demo) with the bundled 2016/2017 forms (and 2017's "
                   "January-June), run, and the 2017 report", cmd_demo)
    _check_command(command)
    _review_command(command)
    _lock_commands(command)
    for sub in (run, backfill, serve, demo):
        sub.add_argument("--verbose", action="store_true",
                         help="Prefect's and Great Expectations' own logs on the terminal, not in <home>/logs/redcross.log")
    return top


def main(argv: list[str] | None = None) -> int:
    """Run a command. A folder that is not a home is one line and 2; Ctrl-C or SIGTERM ends it with one
    line saying what was kept, and 130 or 143."""
    args = parser().parse_args(argv)
    from redcross.core.calendar import CalendarError
    from redcross.core.formulas import FormulaError
    from redcross.core.interrupts import NOTHING_CHANGED, Interrupted, interrupt_signal, terminate_on_sigterm
    from redcross.core.locks import LockRefused
    from redcross.core.registry import RegistryError
    from redcross.read.home import NotAHome

    terminate_on_sigterm()
    try:
        return args.handler(args)
    except (NotAHome, FormulaError, RegistryError, CalendarError, LockRefused) as exc:  # cannot be used, or a lock refused
        print(exc, file=sys.stderr)
        return 2
    except BaseException as exc:
        signum = interrupt_signal(exc)
        if signum is None:
            raise
        print(exc.line if isinstance(exc, Interrupted) else NOTHING_CHANGED, file=sys.stderr)
        return 128 + signum


if __name__ == "__main__":
    sys.exit(main())
