"""Benchmark VBP at province scale (see vbp/bench.py): the monthly progress job (VBP-6) over
1,500 institutions × 500 varieties with the 10 million order lines of `manage.py bench`, against
hand-written SQL doing the same aggregation; and the VBP-4 cap check's cost per 1,000-line batch.

Runs against its own database (procurement_bench_vbp, created and migrated on first use):
orders, receipts and listings come from orders.benchdata (deterministic), the tender, its
varieties, selected products and 750,000 contract lines are generated in SQL with triggers
off. Prints figures; asserts nothing (performance is measured here, never in unit tests).
`manage.py bench --scale N` runs the same measurement on its own data (section 5)."""

import time

from django.db import connection

from core.bench import BenchCommand
from vbp import bench


class Command(BenchCommand):
    help = "Benchmark the VBP-6 progress job (1,500 institutions × 500 varieties, 10M order lines) and the VBP-4 cap."

    command, bench_db = "bench_vbp", "procurement_bench_vbp"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 10M order lines, 1,500 institutions")
        parser.add_argument("--repeat", type=int, default=3)

    def child_argv(self, opts):
        return [f"--scale={opts['scale']}", f"--repeat={opts['repeat']}"]

    def _ensure_data(self, opts):
        from orders import benchdata

        with connection.cursor() as cur:
            cur.execute("SELECT COUNT(*) FROM orders_orderline")
            lines = cur.fetchone()[0]
        if not lines:
            started = time.perf_counter()
            benchdata.generate(opts["scale"], log=lambda m: self.stdout.write(m))
            self.stdout.write(f"vbp bench: orders generated in {time.perf_counter() - started:.0f} s")
        bench.ensure_contracts(self.stdout.write)

    def _measure(self, opts):
        self.stdout.write(bench.report(bench.measure(opts["repeat"])))
