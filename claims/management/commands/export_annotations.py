from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from claims.api.exports import published_claims
from claims.jobs import export_to_file, request_for_site
from claims.models import JobKind
from claims.progress import TerminalProgress

FORMATS = {"jsonld": JobKind.EXPORT_ANNOTATIONS, "csv": JobKind.EXPORT_CSV}


class Command(BaseCommand):
    help = (
        "Write the public export of every published claim to a file, with a progress display: "
        "W3C Web Annotations (JSON-LD, the default) or CSV, the same documents as "
        "/api/v1/exports/. The file appears only once complete."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="Where to write the export.")
        parser.add_argument("--format", choices=sorted(FORMATS), default="jsonld")
        parser.add_argument(
            "--site-url",
            default="http://localhost:8000",
            help="Scheme and host the links in the export point to (default %(default)s).",
        )

    def handle(self, *args, file: Path, format: str, site_url: str, **options) -> None:
        if not site_url.startswith(("http://", "https://")):
            raise CommandError(f"--site-url must start with http:// or https://; got {site_url!r}")
        progress = TerminalProgress(self.stderr, "claims", published_claims().count())
        partial = file.with_name(file.name + ".part")
        try:
            with partial.open("wb") as handle:
                export_to_file(
                    FORMATS[format],
                    handle,
                    request=request_for_site(site_url),
                    on_claim=progress.step,
                )
            partial.replace(file)
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise CommandError(f"{file}: cannot be written ({error.strerror or error})") from None
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        progress.finish()
        self.stdout.write(self.style.SUCCESS(f"{progress.done:,} claims written to {file}."))
