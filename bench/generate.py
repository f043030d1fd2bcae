"""Write a simulated canonical dataset (format v1) as one NDJSON file per platform.

    python bench/generate.py --persons 100000 --seed 1 [--out bench/data] [--weeks 4]

Each file `OUT/<platform_code>.ndjson` holds one record per line in dependency order (trainees,
courses, classes, enrolments, sessions, assessments, certificates), ready for
`hub import FILE --platform CODE`. The same --persons and --seed always give byte-identical files.
Counts per record type and the elapsed time are printed at the end.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from connectors.simulated.dataset import default_platforms, generate  # noqa: E402
from schema.enums import RECORD_ORDER  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, write the files, print the counts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, required=True, help="number of distinct persons")
    parser.add_argument("--seed", type=int, required=True, help="random seed")
    parser.add_argument("--out", type=Path, default=Path("bench/data"), help="output directory")
    parser.add_argument("--weeks", type=int, default=4, help="length of the training window")
    args = parser.parse_args(argv)

    platforms = default_platforms()
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    counts: dict[str, Counter[str]] = {p.code: Counter() for p in platforms}
    files = {p.code: (args.out / f"{p.code}.ndjson").open("w", encoding="utf-8") for p in platforms}
    buffers: dict[str, list[str]] = {p.code: [] for p in platforms}
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
    try:
        for code, record in generate(args.persons, args.seed, platforms, weeks=args.weeks):
            counts[code][record["type"]] += 1
            buffer = buffers[code]
            buffer.append(dumps(record))
            if len(buffer) >= 4096:
                buffer.append("")
                files[code].write("\n".join(buffer))
                buffer.clear()
        for code, buffer in buffers.items():
            if buffer:
                buffer.append("")
                files[code].write("\n".join(buffer))
    finally:
        for handle in files.values():
            handle.close()
    elapsed = time.perf_counter() - started

    types = [t.value for t in RECORD_ORDER]
    print(f"{'platform':<16}" + "".join(f"{t:>12}" for t in types) + f"{'MB':>10}")
    for code, counter in counts.items():
        size = (args.out / f"{code}.ndjson").stat().st_size / 1e6
        print(f"{code:<16}" + "".join(f"{counter[t]:>12}" for t in types) + f"{size:>10.1f}")
    total = sum(sum(c.values()) for c in counts.values())
    print(f"{total} records for {args.persons} persons in {elapsed:.1f} s -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
