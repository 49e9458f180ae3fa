"""The whole benchmark suite at several corpus sizes, and how each cost grows.

    CLAIMTRACK_CACHE_URL=redis://127.0.0.1:6379/9 \\
        uv run python bench/suite.py --sizes 10000,100000,1000000

For each size it uses (creating, migrating and filling as needed) the database
``claimtrack_bench_<size>`` (10k, 100k, 1m) on ``--server``, and runs each
benchmark there as its own process: bench/api.py (read API beside raw SQL),
bench/admin.py (review desk), bench/public.py (public pages), bench/sweep.py
(the deadline sweep over up to 100,000 due claims) and bench/proposals.py
(propose_claims over 1,000 sources). Each process's peak resident memory is
read from the operating system when it exits (``wait4``). The largest size
also rewrites the detailed api and admin blocks of docs/PERFORMANCE.md; the
suite's own block there holds every row at every size, the growth from the
second-largest size to the largest, and the issue's targets at the largest.
"""

import argparse
import datetime as dt
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import api as b  # noqa: E402

BEGIN = "<!-- bench/suite.py results: begin (generated, do not edit by hand) -->"
END = "<!-- bench/suite.py results: end -->"
RESULTS = ROOT / "bench" / "results" / "suite"
BENCHES = ("api", "admin", "public", "sweep", "proposals")


def label(size: int) -> str:
    if size % 1_000_000 == 0:
        return f"{size // 1_000_000}m"
    if size % 1000 == 0:
        return f"{size // 1000}k"
    return str(size)


def target_of(bench: str, row: dict):
    """(statistic, limit in ms, words) the issue sets for ``row``, or None."""
    name = row["name"]
    if bench == "api":
        if name.startswith("search"):
            return "p95", 100, "p95 ≤ 100 ms"
        if name.startswith("change feed"):
            return "median", 10, "≤ 10 ms"
        if row.get("ratio_target"):
            return "median", 30, "≤ 30 ms and ≤ 3×"
        return None
    if bench == "admin" and row.get("target_ms"):
        return "median", 500, "≤ 500 ms"
    if bench == "public":
        return "median", 100, "≤ 100 ms"
    return None


def met(bench: str, row: dict) -> str:
    target = target_of(bench, row)
    if target is None:
        return "—"
    stat, limit, words = target
    ok = row[stat] <= limit
    if bench == "api" and row.get("ratio_target"):
        ok = ok and row["ratio"] <= 3
    return f"{words}: {'met' if ok else '**missed**'}"


def run(bench: str, size: int, args, *, detail: bool) -> dict:
    out = RESULTS / f"{label(size)}-{bench}.json"
    command = [
        sys.executable,
        str(ROOT / "bench" / f"{bench}.py"),
        "--claims",
        str(size),
        "--json",
        str(out),
    ]
    if bench in ("api", "admin", "public"):
        command += ["--reps", str(args.reps)]
    if not detail:
        command.append("--no-write")
    if bench == "proposals":
        command += ["--sources", str(args.sources)]
    if bench == "sweep":
        command += ["--due", str(args.due)]
    env = dict(os.environ)
    env["DATABASE_URL"] = f"{args.server.rstrip('/')}/claimtrack_bench_{label(size)}"
    print(f"== {bench} at {size:,} claims: {' '.join(command[1:])}", flush=True)
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=ROOT)
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{bench} at {size:,} claims failed (exit status {status}).")
    result = json.loads(out.read_text())
    result["peak_rss_mib"] = usage.ru_maxrss / 1024
    result["wall_s"] = time.perf_counter() - started
    return result


def fmt(value, unit: str = "") -> str:
    if value is None:
        return "—"
    return f"{value:,.1f}{unit}" if value < 100 else f"{value:,.0f}{unit}"


def render(results: dict, sizes: list[int], command: str, load: str) -> str:
    big, before = sizes[-1], (sizes[-2] if len(sizes) > 1 else None)
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    corpus = results[big]["api"].get("corpus", {})
    lines = [
        f"Run {now} — `{command}`",
        "",
        f"- machine: {b.machine()}; the database server on the same host",
        f"- sizes: {', '.join(f'{s:,}' for s in sizes)} claims "
        f"(databases {', '.join(f'claimtrack_bench_{label(s)}' for s in sizes)})",
    ]
    if corpus:
        lines.append(
            f"- largest corpus: {corpus['claims']:,} claims, {corpus['sources']:,} "
            f"sources, {corpus['spans']:,} spans, {corpus['ledger']:,} ledger "
            f"entries, {corpus['events']:,} events; database {corpus['db_size']}"
        )
    head = " | ".join(f"median at {label(s)}" for s in sizes)
    grow = f" | {label(before)} → {label(big)}" if before else ""
    lines += [
        f"- load average before / after: {load}",
        "",
        "Medians and p95 in ms, server-side, whole stack, in process (the API through "
        "Django's WSGI application as a WSGI server calls it, the admin and public "
        "pages through the test client); "
        f"*ratio*: API median over the same page from one raw SQL query; *growth*: "
        f"median at {label(big)} over median at {label(before) if before else '—'}; "
        f"targets from issue 7, judged at {big:,} claims.",
        "",
        f"| bench | row | {head} | p95 at {label(big)} | ratio at {label(big)} | "
        f"queries{grow} | target at {label(big)} |",
        "| --- | --- | "
        + " | ".join("---:" for _ in sizes)
        + " | ---: | ---: | ---: "
        + ("| ---: " if before else "")
        + "| --- |",
    ]
    for bench in ("api", "admin", "public"):
        rows = results[big][bench]["rows"]
        for row in rows:
            medians = []
            for s in sizes:
                match = [r for r in results[s][bench]["rows"] if same(r, row)]
                medians.append(match[0]["median"] if match else None)
            queries = row["queries"]
            q = (
                str(queries[0])
                if queries[0] == queries[1]
                else f"{queries[0]}–{queries[1]}"
            )
            growth = ""
            if before:
                m_before = medians[-2]
                growth = f" | {row['median'] / m_before:.2f}×" if m_before else " | —"
            ratio = f"{row['ratio']:.1f}×" if "ratio" in row else "—"
            lines.append(
                f"| {bench} | {generic(row['name'])} | "
                + " | ".join(fmt(m) for m in medians)
                + f" | {fmt(row['p95'])} | {ratio} | {q}{growth} | {met(bench, row)} |"
            )
    lines += [
        "",
        "| job | " + " | ".join(f"at {label(s)}" for s in sizes) + " | target |",
        "| --- | " + " | ".join("---" for _ in sizes) + " | --- |",
    ]
    sweep_cells, propose_cells = [], []
    for s in sizes:
        sw = results[s]["sweep"]["rows"][0]
        sweep_cells.append(
            f"{sw['moved']:,} claims in {sw['seconds']:.1f} s "
            f"({sw['per_100k']:.1f} s per 100k)"
        )
        pr = results[s]["proposals"]["rows"][0]
        propose_cells.append(
            f"{pr['sources']:,} sources in {pr['seconds']:.0f} s "
            f"({pr['sources_per_s']:.1f}/s), {pr['created']:,} proposals"
        )
    sw_big = results[big]["sweep"]["rows"][0]
    lines.append(
        f"| deadline sweep (`mark_overdue`, {sw_big.get('workers', 1)} workers, "
        "every batch committed) | "
        + " | ".join(sweep_cells)
        + f" | ≤ 20 s per 100k: {'met' if sw_big['per_100k'] <= 20 else '**missed**'} |"
    )
    lines.append(
        "| propose claims (`propose_claims`) | " + " | ".join(propose_cells) + " | — |"
    )
    lines += [
        "",
        "Peak resident memory of each benchmark process (MiB, from `wait4`; the "
        "process is Django, the bench's own bookkeeping and, for the page "
        "benches, every response it checked):",
        "",
        "| process | " + " | ".join(f"at {label(s)}" for s in sizes) + " |",
        "| --- | " + " | ".join("---:" for _ in sizes) + " |",
    ]
    for bench in BENCHES:
        lines.append(
            f"| bench/{bench}.py | "
            + " | ".join(f"{peak_rss(results[s][bench]):.0f}" for s in sizes)
            + " |"
        )
    return "\n".join(lines) + "\n"


def peak_rss(result: dict) -> float:
    """MiB: from wait4 when the suite ran the bench, else the bench's own
    getrusage (the same figure for a process that starts no children)."""
    return result.get("peak_rss_mib", result.get("maxrss_mib", 0))


def generic(name: str) -> str:
    return name


def same(a: dict, b_: dict) -> bool:
    """The same row at another size: names carry sizes or ids in their notes,
    not in the first words."""

    def key(row):
        return re.sub(r"q=\S+", "q=…", row["name"])

    return key(a) == key(b_)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--sources", type=int, default=1000)
    parser.add_argument("--due", type=int, default=100_000)
    parser.add_argument("--only", help="comma-separated benches (default: all)")
    parser.add_argument(
        "--resume",
        action="store_true",
        help="keep each (size, bench) result already in bench/results/suite/",
    )
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    benches = args.only.split(",") if args.only else list(BENCHES)
    command = "uv run python bench/suite.py " + " ".join(
        sys.argv[1:] if argv is None else argv
    )
    cache = os.environ.get("CLAIMTRACK_CACHE_URL")
    if cache:
        command = f"CLAIMTRACK_CACHE_URL={cache} {command}"
    RESULTS.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    results = {}
    for size in sizes:
        results[size] = {}
        for bench in BENCHES:
            out = RESULTS / f"{label(size)}-{bench}.json"
            if bench in benches and not (args.resume and out.exists()):
                results[size][bench] = run(
                    bench, size, args, detail=size == sizes[-1] and not args.no_write
                )
                out.write_text(json.dumps(results[size][bench], indent=2) + "\n")
            elif out.exists():
                results[size][bench] = json.loads(out.read_text())
            else:
                sys.exit(f"No earlier result {out} for {bench}: run it too.")
    load = (
        f"{' '.join(f'{x:.2f}' for x in load_before)} / "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} (1, 5, 15 min)"
    )
    block = render(results, sizes, command, load)
    print(block)
    if not args.no_write:
        b.write_block(
            block, BEGIN, END, section="## The suite: 10k, 100k and 1M claims\n"
        )


if __name__ == "__main__":
    main()
