"""One coder of tests/benchmarks/test_bench_load.py, run as its own process:

    python -m tests.benchmarks.load_worker DB K N SHARED OUT

Opens the project DB (a path, or a URL with this coder's own login), prints ``ready``,
waits for a line on its standard input, then makes the N codings of :func:`plan` one
``coding.apply_code`` each, timing every call. Writes OUT (JSON): the coder, its
wall-clock start and end, its own processor time, each call's seconds, the services' retries
(``cen_themes.db.retries``) and the errors that reached it (counted; the first few
kept). A failed call is counted and the coder goes on with the next."""

from __future__ import annotations

import json
import random
import sys
import time
import traceback
from pathlib import Path

SHARED_SOURCE = "shared"
SHARED_CODES = 30  # shared0..shared29: every coder creates them at once, in its first calls
# The very same spans: every coder of the shared source codes each of them (with the
# same codes), so they race to make the same excerpts.
SAME_SPANS = [(i * 197, i * 197 + 40) for i in range(100)]
SPAN_RANGE = 20_000  # random spans fall in the first SPAN_RANGE characters of a source
ERRORS_KEPT = 5

Coding = tuple[str, int, int, str]  # source, start, end, code


def own_source(k: int) -> str:
    return f"own{k}"


def plan(k: int, n: int, shared: bool) -> list[Coding]:
    """Coder k's n codings, all different (each a new coding, so each a change).

    On the shared source one call in four codes one of SAME_SPANS with a shared code
    (the same span-and-code sequence for every coder there); the rest are random spans
    of 10 to 300 characters, overlapping the other coders', with a shared code (two in
    three) or the coder's own. Coders on a source of their own code random spans."""
    rng = random.Random(1000 + k)
    source = SHARED_SOURCE if shared else own_source(k)
    seen: set[Coding] = set()
    out: list[Coding] = []
    i = shared_uses = 0
    while len(out) < n:
        if shared and i % 4 == 0 and i // 4 < len(SAME_SPANS) * SHARED_CODES:
            m = i // 4
            start, end = SAME_SPANS[m % len(SAME_SPANS)]
            one = (source, start, end, f"shared{(m // len(SAME_SPANS)) % SHARED_CODES}")
        else:
            code = f"own{k}"
            if i % 3:
                code = f"shared{shared_uses % SHARED_CODES}"
                shared_uses += 1
            while True:
                start = rng.randrange(SPAN_RANGE - 300)
                one = (source, start, start + rng.randint(10, 300), code)
                if one not in seen:
                    break
        i += 1
        if one not in seen:
            seen.add(one)
            out.append(one)
    return out


def main(db: str, k: int, n: int, shared: bool, out: Path) -> None:
    from cen_themes import db as cen_db
    from cen_themes.services import coding

    project = cen_db.open_project(db)
    who = project.login or f"coder{k}"
    codings = plan(k, n, shared)
    print("ready", flush=True)
    sys.stdin.readline()
    latencies: list[float] = []
    errors: list[str] = []
    error_count = 0
    started, cpu = time.time(), time.process_time()
    for source, start, end, code in codings:
        t0 = time.perf_counter()
        try:
            coding.apply_code(project, source, start, end, code, coder=who)
        except Exception as exc:  # counted and reported; the run goes on
            error_count += 1
            if len(errors) < ERRORS_KEPT:
                errors.append(
                    f"{type(exc).__name__}: {exc}\n" + "".join(traceback.format_exception(exc)[-3:])
                )
        latencies.append(time.perf_counter() - t0)
    ended, cpu = time.time(), time.process_time() - cpu
    project.close()
    out.write_text(
        json.dumps(
            {
                "k": k,
                "coder": who,
                "source": SHARED_SOURCE if shared else own_source(k),
                "calls": len(codings),
                "start": started,
                "end": ended,
                "cpu_s": cpu,
                "latencies": latencies,
                "retries": dict(cen_db.retries),
                "errors": error_count,
                "error_samples": errors,
            }
        ),
        encoding="utf-8",
    )
    print("done", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1", Path(sys.argv[5]))
