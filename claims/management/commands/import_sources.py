from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from claims.importing.manifest import ManifestError
from claims.importing.manifest import load as load_manifest
from claims.importing.sources import ImportFailure, import_files


class Command(BaseCommand):
    help = (
        "Import plain-text, Markdown or HTML articles as sources. With --manifest, each file's "
        "metadata and cleaning rules come from the manifest; without it, each file becomes a "
        "draft titled by its first line (or, with --verbatim, by its file name). --verbatim "
        "keeps every text exactly as given. All files are imported in one transaction: any "
        "error writes nothing. A manifest status other than draft is a move in the editorial "
        'workflow and needs --as: the user the import acts as (status = "published" needs one '
        "who may publish)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("files", nargs="+", type=Path, help="Files to import.")
        parser.add_argument("--manifest", type=Path, help="TOML manifest describing the files.")
        parser.add_argument(
            "--verbatim",
            action="store_true",
            help="Store each text exactly as given: no Unicode, line-ending or space changes, "
            "no furniture removed, the first line not taken as the title.",
        )
        parser.add_argument(
            "--as",
            dest="username",
            metavar="USERNAME",
            help="The user this import acts as: recorded in the review trail, and checked for "
            "the permission a manifest status needs.",
        )

    def handle(
        self,
        *args,
        files: list[Path],
        manifest: Path | None,
        verbatim: bool,
        username: str | None,
        **options,
    ):
        user = None
        if username is not None:
            user = get_user_model().objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(f"--as: no active user named {username!r}.")
        try:
            loaded = load_manifest(manifest) if manifest else None
            sources, report = import_files(files, manifest=loaded, verbatim=verbatim, user=user)
        except (ImportFailure, ManifestError) as error:
            raise CommandError(f"Nothing was imported. {error}") from None
        for line in report.lines():
            self.stdout.write(line)
        acting = f" as {user.get_username()}" if user else ""
        self.stdout.write(self.style.SUCCESS(f"Imported {len(sources)} source(s){acting}."))
