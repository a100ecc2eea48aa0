"""Admin screens that import files: sources (upload or paste) and annotations (upload).

Both work in two steps. The first post reads the files and shows what would happen — the cleaned
text and what was removed, or the report of every annotation — and writes nothing. The page then
carries the same inputs back in a signed token; the second post checks the signature (a client
cannot change the inputs between preview and import) and imports them through the same service
the management commands call.
"""

from __future__ import annotations

import base64

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from claims.importing import cleaning
from claims.importing.bulk import import_annotations, read_documents
from claims.importing.documents import Document, ImportFailure, prepare_batch
from claims.importing.formats import BratMapping
from claims.importing.sources import check_slugs, import_documents
from claims.models import Source

TOKEN_MAX_AGE = 3600
# The token travels in a form field, which DATA_UPLOAD_MAX_MEMORY_SIZE (1 MiB by default) caps.
TOKEN_MAX_LENGTH = 900_000
PASTE_FORMATS = [
    (cleaning.TEXT, "Plain text"),
    (cleaning.MARKDOWN, "Markdown"),
    (cleaning.HTML, "HTML"),
]
_PASTE_SUFFIX = {cleaning.TEXT: "txt", cleaning.MARKDOWN: "md", cleaning.HTML: "html"}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern for multiple uploads)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


def pack(payload: dict, documents: list[Document], salt: str) -> str:
    """Sign the inputs of a preview so that the import step gets exactly the same ones."""
    files = [[d.name, base64.b64encode(d.raw).decode("ascii")] for d in documents]
    return signing.dumps({**payload, "files": files}, salt=salt, compress=True)


def pack_for_form(form, payload: dict, documents: list[Document], salt: str, instead: str) -> str:
    """The signed token a preview page carries to its confirmation, or "" with an error on the
    form when it would be too large to post back (`instead` says what to use then)."""
    token = pack(payload, documents, salt)
    if len(token) > TOKEN_MAX_LENGTH:
        form.add_error(None, f"Too much to import from here at once: use {instead}.")
        return ""
    return token


def unpack(token: str, salt: str) -> tuple[dict, list[Document]]:
    try:
        payload = signing.loads(token, salt=salt, max_age=TOKEN_MAX_AGE)
    except signing.SignatureExpired:
        raise ImportFailure("preview", "the preview is over an hour old; preview again") from None
    except signing.BadSignature:
        raise ImportFailure("preview", "the preview was altered; preview again") from None
    documents = [Document(name, base64.b64decode(data)) for name, data in payload.pop("files")]
    return payload, documents


def _uploaded(files) -> list[Document]:
    return [Document(f.name, f.read()) for f in files]


class SourceImportForm(forms.Form):
    files = MultipleFileField(
        required=False,
        help_text="One or more .txt, .md or .html files. Each becomes a draft source.",
    )
    text = forms.CharField(
        label="Or paste a text",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12, "class": "vLargeTextField"}),
    )
    paste_format = forms.ChoiceField(label="Pasted as", choices=PASTE_FORMATS, initial="text")
    name = forms.CharField(
        label="Name of the pasted text",
        required=False,
        max_length=200,
        help_text="Used for its slug and provenance, like a file name (default: pasted).",
    )
    title = forms.CharField(
        required=False,
        max_length=300,
        help_text="For a single text: the title to store. Otherwise the first line (cleaned) "
        "or the file name (verbatim) is used.",
    )
    verbatim = forms.BooleanField(
        required=False,
        help_text="Keep the text exactly as given: no Unicode, line-ending or space changes, "
        "nothing removed, the first line not taken as the title. For corpora whose "
        "annotations count offsets into the original files.",
    )

    def clean(self):
        data = super().clean()
        if not data.get("files") and not data.get("text", "").strip():
            raise forms.ValidationError("Upload a file or paste a text.")
        return data

    def documents(self) -> list[Document]:
        documents = _uploaded(self.cleaned_data["files"])
        text = self.cleaned_data.get("text", "")
        if text.strip():
            fmt = self.cleaned_data["paste_format"]
            stem = self.cleaned_data.get("name") or "pasted"
            documents.append(Document(f"{stem}.{_PASTE_SUFFIX[fmt]}", text.encode("utf-8")))
        return documents


class SourceImportScreen:
    """/admin/claims/source/import/: preview the cleaned texts, then import them as drafts."""

    template = "admin/claims/source/import.html"
    salt = "claims.admin.import-sources"

    def __init__(self, model_admin) -> None:
        self.model_admin = model_admin

    def __call__(self, request):
        if not request.user.has_perm("claims.add_source"):
            raise PermissionDenied
        if request.method == "POST" and "token" in request.POST:
            return self.confirm(request)
        form = SourceImportForm(request.POST or None, request.FILES or None)
        if request.method != "POST" or not form.is_valid():
            return self.render(request, form)
        documents = form.documents()
        options = {"verbatim": form.cleaned_data["verbatim"], "title": form.cleaned_data["title"]}
        try:
            batch = prepare_batch(documents, **options)
            check_slugs(batch)  # reads only: which slugs are taken
        except ImportFailure as error:
            form.add_error(None, str(error))
            return self.render(request, form)
        token = pack_for_form(form, options, documents, self.salt, "the import_sources command")
        if not token:
            return self.render(request, form)
        return self.render(request, form, batch=batch, token=token)

    def confirm(self, request):
        try:
            options, documents = unpack(request.POST["token"], self.salt)
            sources, _ = import_documents(documents=documents, user=request.user, **options)
        except ImportFailure as error:
            messages.error(request, f"Nothing was imported. {error}")
            return HttpResponseRedirect(reverse("admin:claims_source_import"))
        messages.success(request, f"Imported {len(sources)} source(s) as drafts.")
        if len(sources) == 1:
            return HttpResponseRedirect(reverse("admin:claims_source_change", args=[sources[0].pk]))
        return HttpResponseRedirect(reverse("admin:claims_source_changelist"))

    def render(self, request, form, *, batch=None, token=""):
        context = {
            **self.model_admin.admin_site.each_context(request),
            "opts": Source._meta,
            "title": "Import sources",
            "form": form,
            "batch": batch,
            "token": token,
        }
        return TemplateResponse(request, self.template, context)


class AnnotationImportForm(forms.Form):
    files = MultipleFileField(
        help_text="W3C Web Annotations (.jsonld, .json), brat standoff (.ann with its .txt), or "
        "the claims export's .csv or .jsonl.",
    )
    mapping = forms.FileField(
        required=False, help_text="For brat: a TOML file mapping entity types and attributes."
    )
    source = forms.SlugField(
        required=False, help_text="For one .ann file: the slug of the source it annotates."
    )
    partial = forms.BooleanField(
        required=False,
        help_text="Import the annotations that can be placed and skip the refused ones. "
        "Otherwise a single refusal imports nothing.",
    )


class AnnotationImportScreen:
    """/admin/claims/claim/import/: the dry-run report first, then the import on confirmation."""

    template = "admin/claims/claim/import.html"
    salt = "claims.admin.import-annotations"

    def __init__(self, model_admin) -> None:
        self.model_admin = model_admin

    def __call__(self, request):
        if not request.user.has_perms(["claims.add_claim", "claims.add_stance"]):
            raise PermissionDenied
        if request.method == "POST" and "token" in request.POST:
            return self.confirm(request)
        form = AnnotationImportForm(request.POST or None, request.FILES or None)
        if request.method != "POST" or not form.is_valid():
            return self.render(request, form)
        documents = _uploaded(form.cleaned_data["files"])
        mapping = form.cleaned_data.get("mapping")
        options = {
            "source": form.cleaned_data.get("source") or "",
            "partial": form.cleaned_data["partial"],
            "mapping": mapping.read().decode("utf-8", "replace") if mapping else "",
        }
        try:
            report = self.run(request, options, documents, dry_run=True)
        except ImportFailure as error:
            form.add_error(None, str(error))
            return self.render(request, form)
        token = pack_for_form(
            form, options, documents, self.salt, "the import_annotations command or the API"
        )
        if not token:
            return self.render(request, form)
        return self.render(request, form, report=report, token=token)

    @staticmethod
    def run(request, options: dict, documents: list[Document], *, dry_run: bool):
        mapping = BratMapping.parse(options["mapping"]) if options["mapping"] else None
        records = read_documents(documents, mapping=mapping, source=options["source"])
        return import_annotations(
            records=records, user=request.user, dry_run=dry_run, partial=options["partial"]
        )

    def confirm(self, request):
        try:
            options, documents = unpack(request.POST["token"], self.salt)
            report = self.run(request, options, documents, dry_run=False)
        except ImportFailure as error:
            messages.error(request, f"Nothing was imported. {error}")
            return HttpResponseRedirect(reverse("admin:claims_claim_import"))
        if not report.written:
            messages.error(request, report.lines()[-1])
            return HttpResponseRedirect(reverse("admin:claims_claim_import"))
        summary = ", ".join(f"{n} {k}" for k, n in sorted(report.tallies().items()))
        messages.success(request, f"Annotations imported: {summary or 'nothing new'}.")
        return HttpResponseRedirect(reverse("admin:claims_claim_changelist"))

    def render(self, request, form, *, report=None, token=""):
        context = {
            **self.model_admin.admin_site.each_context(request),
            "opts": self.model_admin.model._meta,
            "title": "Import annotations",
            "form": form,
            "report": report,
            "token": token,
        }
        return TemplateResponse(request, self.template, context)
