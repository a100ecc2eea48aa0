from django.core.management.base import BaseCommand, CommandError

from bench.generator import generating


class Command(BaseCommand):
    help = (
        "Replace the corpus with a generated one for benchmarks: N sources of K claims each, the "
        "same for the same arguments. Refuses when the database holds content that was not "
        "generated, unless --force is given. Runs in one transaction: an error writes nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--sources", type=int, required=True, help="Number of sources.")
        parser.add_argument(
            "--claims-per-source",
            type=int,
            default=generating.DEFAULT_CLAIMS_PER_SOURCE,
            help=f"Claims in each source (default {generating.DEFAULT_CLAIMS_PER_SOURCE}).",
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--annotators",
            type=int,
            default=generating.DEFAULT_ANNOTATORS,
            help=f"Generated annotators (default {generating.DEFAULT_ANNOTATORS}).",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=generating.DEFAULT_BATCH_SIZE,
            help=f"Sources written per batch (default {generating.DEFAULT_BATCH_SIZE}).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Delete corpus content the generator did not make instead of refusing.",
        )

    def handle(self, *args, **options) -> None:
        verbose = options["verbosity"] > 0
        try:
            summary = generating.generate(
                options["sources"],
                options["claims_per_source"],
                options["seed"],
                options["annotators"],
                force=options["force"],
                batch_size=options["batch_size"],
                progress=self._show_progress if verbose else None,
            )
        except generating.GenerationError as error:
            raise CommandError(str(error)) from None
        if verbose:
            self._show_summary(summary)

    def _show_progress(self, progress: generating.Progress) -> None:
        self.stdout.write(
            f"sources {progress.sources_done:,}/{progress.sources_total:,} · "
            f"claims {progress.claims_done:,}/{progress.claims_total:,} · "
            f"{progress.claims_per_second:,.0f} claims/s"
        )

    def _show_summary(self, summary: generating.Summary) -> None:
        for table, count in summary.rows.items():
            self.stdout.write(f"  {table}: {count:,} rows")
        parameters = summary.parameters
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {parameters.sources:,} sources and {parameters.claims:,} claims "
                f"(seed {parameters.seed}, {parameters.annotators} annotators): "
                f"{summary.total_rows:,} rows in {summary.elapsed:,.1f} s "
                f"({summary.total_rows / max(summary.elapsed, 1e-9):,.0f} rows/s)."
            )
        )
