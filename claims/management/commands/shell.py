"""`manage.py shell` with the models imported, less the history tables: each historical model
shares its name with its twin in another app's history module, so Django could not import them
and said so on every start."""

from django.core.management.commands import shell


class Command(shell.Command):
    def get_auto_imports(self):
        imports = super().get_auto_imports()
        if imports is None:
            return None
        return [path for path in imports if not path.rsplit(".", 1)[-1].startswith("Historical")]
