"""The quotes report as Word on generated reports of each size in ``SIZES`` (quotes in
all): ``THEMES`` themes of ``SUBTHEMES`` subthemes, each subtheme's quotes in its
theme's section too, as the service builds them, with source attributes, two codes per
quote and a memo on one quote in ten.

Target: the largest in under ``TARGET_SECONDS`` and ``TARGET_MB``, the time growing
linearly (about the same seconds per 1,000 quotes at each size, once the fixed cost of
opening Word's template is small beside it). The render is timed in process; its peak
memory is that of a child process that builds the same report and writes it (the
interpreter and python-docx included, as for the command).

Run: pytest tests/benchmarks/test_bench_quotes_docx.py --benchmark-enable -s
"""

from __future__ import annotations

import random
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from cen_themes.exporters import write_quotes
from cen_themes.results import ExcerptView, ThemeInfo, ThemeReport

from .generate import sentence

THEMES, SUBTHEMES = 5, 4
SIZES = (1_000, 5_000, 20_000)
REPO = Path(__file__).resolve().parents[2]
TARGET_SECONDS, TARGET_MB = 10.0, 300.0

# Builds the report of QUOTES quotes, writes it to OUT and prints its peak RSS (KB).
_CHILD = """
import sys
sys.path.insert(0, sys.argv[3])
from pathlib import Path
from cen_themes.exporters import write_quotes
from tests.benchmarks.test_bench_quotes_docx import quotes_report
write_quotes(quotes_report(int(sys.argv[1])), Path(sys.argv[2]))
with open("/proc/self/status") as status:
    print(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
"""


def quotes_report(quotes: int, seed: int = 3) -> list[ThemeReport]:
    """Themes whose sections hold ``quotes`` quotes in all (half in the subthemes'
    sections, the same again in their themes')."""
    per_subtheme = quotes // (THEMES * SUBTHEMES * 2)
    assert per_subtheme * THEMES * SUBTHEMES * 2 == quotes, quotes
    rng = random.Random(seed)
    sources = [f"generated_{i:04d}" for i in range(100)]
    attributes = {
        name: {"group": "staff" if i % 3 else "service user", "region": f"Region {i % 7}"}
        for i, name in enumerate(sources)
    }
    ids = iter(range(1, quotes + 1))
    reports = []
    for t in range(THEMES):
        subreports, brought = [], []
        for s in range(SUBTHEMES):
            codes = [f"Category {t:02d} > Code {t:02d}.{s}", f"Category {t:02d} > Code {s}.9"]
            excerpts = [_excerpt(rng, next(ids), sources, codes) for _ in range(per_subtheme)]
            info = ThemeInfo(
                t * 10 + s + 1,
                f"Theme {t} > Sub {t}.{s}",
                f"Sub {t}.{s}",
                1,
                sentence(rng),
                codes,
                len(excerpts),
                len({e.source for e in excerpts}),
                [sentence(rng)],
            )
            subreports.append(ThemeReport(info, excerpts, attributes, []))
            brought += excerpts
        info = ThemeInfo(
            t * 10, f"Theme {t}", f"Theme {t}", 0, sentence(rng), [], len(brought), 100
        )
        reports.append(ThemeReport(info, brought, attributes, subreports))
    return reports


def _excerpt(rng: random.Random, id: int, sources: list[str], codes: list[str]) -> ExcerptView:
    text = "\n".join(sentence(rng) for _ in range(rng.randint(1, 4)))
    start = rng.randrange(50_000)
    memo = sentence(rng) if id % 10 == 0 else ""
    return ExcerptView(
        id, rng.choice(sources), start, start + len(text), text, codes, ["ann"], memo
    )


def _child_peak_mb(quotes: int, out: Path) -> float:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(quotes), str(out), str(REPO)],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout.split()[-1]) / 1024


@pytest.mark.parametrize("quotes", SIZES)
def test_quotes_docx(benchmark, tmp_path: Path, quotes: int) -> None:
    reports = quotes_report(quotes)
    out = tmp_path / "quotes.docx"
    benchmark.pedantic(write_quotes, args=(reports, out), rounds=3, iterations=1)
    with zipfile.ZipFile(out) as archive:
        body = archive.read("word/document.xml")
    assert body.count(b'<w:pStyle w:val="Quote"/>') == quotes
    median = benchmark.stats.stats.median
    per_thousand = median / (quotes / 1000)
    peak = _child_peak_mb(quotes, tmp_path / "child.docx")
    benchmark.extra_info.update(
        quotes=quotes,
        seconds=round(median, 3),
        seconds_per_1000_quotes=round(per_thousand, 4),
        peak_rss_mb=round(peak, 1),
    )
    print(
        f"\nquotes .docx, {quotes:,} quotes: {median:.2f} s (median of 3), "
        f"{per_thousand:.3f} s per 1,000 quotes, peak RSS {peak:.0f} MB"
    )
    if quotes == max(SIZES):
        assert median < TARGET_SECONDS
        assert peak < TARGET_MB
