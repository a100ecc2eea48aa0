from collections import Counter

from django.core.management.base import BaseCommand

from claims import agreement_reports
from claims.models import Adjudication


def _figure(figure) -> str:
    if figure.value is None:
        return "undefined"
    interval = ""
    if figure.low is not None and figure.high is not None:
        interval = f" [{figure.low:.3f}, {figure.high:.3f}]"
    return f"{figure.value:.3f}{interval} ({figure.verdict}, {figure.units} units)"


def _number(value) -> str:
    return "undefined" if value is None else f"{value:.3f}"


class Command(BaseCommand):
    help = (
        "Print the agreement figures of every double-read source (the readings handed in), "
        "all of them together, and how their units were adjudicated."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--samples",
            type=int,
            default=agreement_reports.DETAIL_SAMPLES,
            help="bootstrap resamples for the 95%% intervals (default %(default)s)",
        )

    def handle(self, *args, **options) -> None:
        samples = max(1, options["samples"])
        items = agreement_reports.handed_in()
        if not items:
            self.stdout.write("No source has two readings handed in.")
            return
        groups = [(item.slug, [item]) for item in items.values()]
        if len(items) > 1:
            groups.append(("all double-read sources", list(items.values())))
        for name, group in groups:
            report = agreement_reports.combined_report(group, samples=samples)
            readers = sorted({who for item in group for who in item.names.values()})
            self.stdout.write(f"{name} — readers {', '.join(readers)}")
            self.stdout.write(f"  stance α (stance distance): {_figure(report.stance)}")
            self.stdout.write(f"  proposition α (nominal):    {_figure(report.proposition)}")
            self.stdout.write(f"  kind α (nominal):           {_figure(report.kind)}")
            self.stdout.write(f"  Cohen's κ (stance units):   {_number(report.kappa)}")
            self.stdout.write(f"  span F1:                    {_number(report.span_f1)}")
            self.stdout.write(f"  unitizing α (code points):  {_figure(report.unitizing)}")
        decided = Counter(
            Adjudication.objects.filter(source_id__in=list(items)).values_list(
                "source__slug", "decision"
            )
        )
        if decided:
            self.stdout.write("Adjudication:")
            for item in items.values():
                counts = {d: n for (slug, d), n in decided.items() if slug == item.slug}
                if counts:
                    parts = ", ".join(f"{n} {d}" for d, n in sorted(counts.items()))
                    self.stdout.write(f"  {item.slug}: {sum(counts.values())} units ({parts})")
