"""`manage.py bench_monitoring`: the monitoring section of the bench (see monitoring/bench.py)."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Monthly monitoring job vs hand-written SQL on 1,000,000 receipt lines (database procurement_bench_mon)."

    def add_arguments(self, parser):
        parser.add_argument("--database", default="procurement_bench_mon")
        parser.add_argument("--regenerate", action="store_true")

    def handle(self, *args, database, regenerate, **options):
        from monitoring import bench

        bench.run(database, self.stdout, regenerate=regenerate)
