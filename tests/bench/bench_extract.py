"""Extract benchmark: parse + normalize + hash of releases, against a bare lxml iterparse loop.

    .venv/bin/python -m tests.bench.bench_extract [DUMP] [--scale N] [--repeat R]

DUMP defaults to the largest sample (xml2db_20200806 releases, 1000 records). `--scale N` first
writes a dump N times as long (the same records, ids renumbered) to show that memory stays flat
whatever the file size. Every loop runs single-threaded in a process of its own, so that each peak
RSS is its own; rates are the best of R runs, per CPU second (one core) and per wall second. The
loops, over the same file:

- bare: `iterparse(events=("end",), tag="release")` with clearing, the pattern of
  ecosystem-notes §8; it touches the record elements only. The target is reader >= 0.6 * bare.
- bare-all: the same loop with an event for every element, the least a generic reader must see.
- reader: `read_records`, which yields normalized, hashed records.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from isal import igzip
from lxml import etree

from adapters.dumps.discogs_xml import read_records
from tests.samples import samples_dir

DEFAULT_DUMP = samples_dir() / "discogs" / "xml2db_20200806" / "discogs_20200806_releases.xml.gz"
REPO_ROOT = Path(__file__).resolve().parents[2]
RECORD_ID = re.compile(rb'<release id="(\d+)"')
ID_STRIDE = 100_000_000


def bare_loop(path: Path) -> int:
    """Records seen by the memory-safe iterparse pattern, touching nothing but the records."""
    count = 0
    with igzip.open(path, "rb") as xml:
        for _, element in etree.iterparse(xml, events=("end",), tag="release"):
            count += 1
            element.clear(keep_tail=True)
            while element.getprevious() is not None:
                del element.getparent()[0]
    return count


def bare_all_loop(path: Path) -> int:
    """Records seen by an iterparse loop that receives an event for every element."""
    count = 0
    depth = 0
    with igzip.open(path, "rb") as xml:
        for event, element in etree.iterparse(xml, events=("start", "end")):
            if event == "start":
                depth += 1
                continue
            depth -= 1
            if depth == 1:
                count += 1
                element.clear(keep_tail=True)
                while element.getprevious() is not None:
                    del element.getparent()[0]
    return count


def reader_loop(path: Path) -> int:
    """Records yielded by the reader: parsed, normalized and hashed."""
    return sum(1 for _ in read_records(path))


LOOPS: dict[str, Callable[[Path], int]] = {
    "bare": bare_loop,
    "bare-all": bare_all_loop,
    "reader": reader_loop,
}


def measure(loop_name: str, path: Path, repeat: int) -> dict[str, float]:
    """Run one loop `repeat` times in this process; best rates and this process's peak RSS.

    The per-core rate divides by the process's CPU time, so other work on the machine does not
    count against it; the wall-clock rate is given beside it.
    """
    loop = LOOPS[loop_name]
    best_cpu_seconds = best_wall_seconds = float("inf")
    records = 0
    for _ in range(repeat):
        cpu_started, wall_started = time.process_time(), time.perf_counter()
        records = loop(path)
        best_cpu_seconds = min(best_cpu_seconds, time.process_time() - cpu_started)
        best_wall_seconds = min(best_wall_seconds, time.perf_counter() - wall_started)
    return {
        "records": records,
        "records_per_cpu_second": records / best_cpu_seconds,
        "records_per_second": records / best_wall_seconds,
        "peak_rss_mb": peak_rss_mb(),
    }


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB.

    Linux's VmHWM, because `ru_maxrss` survives exec and would report the parent's peak.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def scaled_dump(source: Path, scale: int, directory: Path) -> Path:
    """A dump `scale` times as long as `source`: its records repeated with ids made unique."""
    xml = igzip.decompress(source.read_bytes())
    body_start = xml.index(b">", xml.index(b"<releases")) + 1
    body_end = xml.rindex(b"</releases>")
    body = xml[body_start:body_end]
    target = directory / f"scaled_{scale}x_{source.name}"
    with igzip.open(target, "wb", compresslevel=1) as out:
        out.write(xml[:body_start])
        for copy in range(scale):
            out.write(RECORD_ID.sub(renumbered(copy * ID_STRIDE), body))
        out.write(xml[body_end:])
    return target


def renumbered(offset: int) -> Callable[[re.Match[bytes]], bytes]:
    """A substitution that adds `offset` to a release id."""
    return lambda match: b'<release id="%d"' % (int(match[1]) + offset)


def run_in_subprocess(loop_name: str, path: Path, repeat: int) -> dict[str, float]:
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.bench.bench_extract",
            str(path),
            "--measure",
            loop_name,
            "--repeat",
            str(repeat),
        ],
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, float] = json.loads(completed.stdout)
    return result


def main() -> None:
    arguments = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    arguments.add_argument("dump", nargs="?", type=Path, default=DEFAULT_DUMP)
    arguments.add_argument("--scale", type=int, default=1, help="repeat the dump's records N times first")
    arguments.add_argument("--repeat", type=int, default=5, help="runs per loop; the best rate is kept")
    arguments.add_argument("--measure", choices=sorted(LOOPS), help=argparse.SUPPRESS)
    options = arguments.parse_args()
    if options.measure:
        print(json.dumps(measure(options.measure, options.dump, options.repeat)))
        return
    with tempfile.TemporaryDirectory() as scratch:
        dump = options.dump if options.scale == 1 else scaled_dump(options.dump, options.scale, Path(scratch))
        results = {name: run_in_subprocess(name, dump, options.repeat) for name in LOOPS}
        print(
            f"{dump.name}: {dump.stat().st_size:,} bytes compressed, best of {options.repeat} runs per loop"
        )
        for name, result in results.items():
            print(
                f"  {name:9s} {int(result['records']):>9,} records"
                f"  {result['records_per_cpu_second']:>7,.0f} rec/s per core"
                f"  ({result['records_per_second']:>7,.0f} rec/s wall)"
                f"  peak RSS {result['peak_rss_mb']:6.1f} MB"
            )
        for baseline in ("bare", "bare-all"):
            ratio = results["reader"]["records_per_cpu_second"] / results[baseline]["records_per_cpu_second"]
            print(f"  reader / {baseline} per core: {ratio:.2f}")


if __name__ == "__main__":
    main()
