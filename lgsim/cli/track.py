"""``track``: P(target met) month by month as published figures come in, and its news."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..i18n import _
from ..scenario.errors import ScenarioError
from . import EXIT_OK, add_run_options, positive_int


def _month(text: str) -> tuple[int, int]:
    from ..studies.track import month_text

    try:
        return month_text(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _check_out(out: Path, scenario: str, force: bool) -> None:
    """Refuse to replace a track of another scenario without ``--force``."""
    old = out / "track.json"
    if force or not old.is_file():
        return
    try:
        name = json.loads(old.read_text(encoding="utf-8")).get("scenario")
    except (OSError, ValueError, AttributeError):
        name = None
    if name != scenario:
        raise ScenarioError(str(out), "--out", _("an empty directory or one holding a track of "
                                                  "the same scenario (or --force)"),
                            _("a track of scenario {name!r}").format(name=name) if name
                            else _("an unreadable track.json"))


def cmd_track(args: argparse.Namespace) -> int:
    """``track``: condition month by month on the published figures; write the track."""
    from ..data.published import DataError, load_published
    from ..fileio import DirectoryLock
    from ..outputs.rundir import default_out_dir
    from ..scenario import load_scenario
    from ..studies.track import track

    scenario = load_scenario(args.scenario)
    try:
        table = load_published(args.data)
    except DataError as exc:
        raise ScenarioError(exc.file, exc.where, exc.expected, exc.found) from None
    out = Path(args.out or f"{default_out_dir(scenario.name)}-track")
    try:
        result = track(scenario, table, args.start, args.end,
                       replications=args.replications, seed=args.seed, workers=args.workers,
                       news=args.news, min_ess=args.min_ess)
    except ScenarioError as exc:  # name the flags that set the months
        flag = {"start": "--from", "end": "--to"}.get(exc.path)
        if flag is None:
            raise
        raise ScenarioError(exc.file, flag, exc.expected, exc.found, exc.hint) from None
    with DirectoryLock(out):
        _check_out(out, scenario.name, args.force)
        from ..outputs.track_files import write_track

        formats = ("png", "svg") if args.svg else ("png",)
        write_track(result, out, formats=formats, plots=not args.no_plots,
                    report=not args.no_report, news_month=args.news_month)
    print(result.to_text())
    print()
    print(_("Wrote {path}").format(path=f"{out}/"))
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``track``."""
    p = sub.add_parser("track", help=_("P(target met) month by month as published figures "
                                       "come in, and what each release changed (news)"))
    p.add_argument("scenario", type=Path, metavar="SCENARIO",
                   help=_("a scenario file (.toml or .xlsx) with [[indicator]] entries"))
    p.add_argument("--data", type=Path, metavar="FILE",
                   help=_("published figures (CSV or Excel, the published-indicators format; "
                          "default: the figures shipped with lgsim)"))
    p.add_argument("--from", dest="start", type=_month, metavar="YYYY-MM",
                   help=_("first month (default: January of the target year)"))
    p.add_argument("--to", dest="end", type=_month, metavar="YYYY-MM",
                   help=_("last month (default: December of the target year)"))
    add_run_options(p)
    p.add_argument("--news", choices=("publication", "shapley"), default="publication",
                   help=_("how a month's change is split among its releases: in publication "
                          "order (default) or Shapley values over every order"))
    p.add_argument("--news-month", metavar="YYYY-MM",
                   help=_("month of the news waterfall chart (default: the one that moved "
                          "most)"))
    p.add_argument("--min-ess", type=positive_int, default=1000, metavar="E",
                   help=_("flag months whose effective sample size is below E (default "
                          "1000)"))
    p.add_argument("--no-plots", action="store_true", help=_("write no charts"))
    p.add_argument("--no-report", action="store_true", help=_("write no track.html"))
    p.add_argument("--svg", action="store_true", help=_("write the charts as SVG too"))
    p.add_argument("--force", action="store_true",
                   help=_("overwrite a track of another scenario in --out"))
    p.set_defaults(func=cmd_track)
