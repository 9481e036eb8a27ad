"""Engine scaling (issue "Performance"): `engine.compute` on 100k … 1M activity rows.

Timed: `engine.compute` alone, and compute plus what the build derives from
it before rendering (every key account's template context, views.py).

The sample portfolio (`--customers`, default 300: about 100,000 activity
rows) is computed with its Activities repeated to 100k, 200k, 500k and 1M
rows; customers, sales and everything else stay the same, so only the row
count changes. Each size is timed `--repeat` times (median, CPU seconds of
this process) in alternation, since this machine is noisy.

For O(n) the 1M / 100k ratio is 10; for O(n log n) it is at most
10 × log(1M) / log(100k) = 12. The goal is that bound.

    .venv/bin/python bench/engine_bench.py
    .venv/bin/python bench/engine_bench.py --customers 300 --repeat 3
"""
from __future__ import annotations

import argparse
import gc
import math
import statistics
import sys
import time
from dataclasses import replace


def main(argv: list[str] | None = None) -> int:
    from kamreport.engine import core as engine
    from kamreport import sample
    from kamreport.report import views

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--customers", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)

    data = sample.sample_dataset("zh", args.customers, 1)
    base = data.activities
    sizes = [100_000, 200_000, 500_000, 1_000_000]
    sets = {}
    for n in sizes:
        reps = -(-n // len(base))
        sets[n] = replace(data, activities=(base * reps)[:n])
    print(f"engine.compute: {args.customers} customers, {len(data.sales):,} sales rows, activity rows "
          f"{', '.join(f'{n:,}' for n in sizes)} (the sample's {len(base):,} repeated)", flush=True)

    times: dict[int, list[float]] = {n: [] for n in sizes}
    with_views: dict[int, list[float]] = {n: [] for n in sizes}
    for _ in range(args.repeat):
        for n in sizes:
            gc.collect()
            t0 = time.process_time()
            result = engine.compute(sets[n])
            t1 = time.process_time()
            for a in result.accounts:
                if a.tier == "key":
                    views.account_context(result, sets[n], a.customer_id)
            times[n].append(t1 - t0)
            with_views[n].append(time.process_time() - t0)
            assert len(result.accounts) == len(data.customers)
    bound = 10 * math.log(1_000_000) / math.log(100_000)
    ok = True
    for label, runs in (("compute", times), ("compute + contexts", with_views)):
        med = {n: statistics.median(v) for n, v in runs.items()}
        print(f"{label}:")
        for n in sizes:
            print(f"  {n:>9,} rows: {med[n]:6.2f} s CPU (runs: {', '.join(f'{t:.2f}' for t in runs[n])}); "
                  f"{med[n] / n * 1e6:.2f} µs per row")
        ratio = med[1_000_000] / med[100_000]
        ok = ok and ratio <= bound
        print(f"  1M / 100k rows: {ratio:.1f} × (O(n) = 10 ×, O(n log n) ≤ {bound:.0f} ×)"
              f"{'  ok' if ratio <= bound else '  MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
