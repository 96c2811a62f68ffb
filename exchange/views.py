"""The editors' import page: upload files, read the dry-run report, confirm."""

import secrets
import shutil
import tempfile
from pathlib import Path

from django import forms
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from editorial import services

from . import importer, sources

PERMISSIONS = ("incidents.add_incident", "glossary.add_term")
SESSION_KEY = "exchange_import"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(file, initial) for file in data]
        return [single(data, initial)]


class ImportForm(forms.Form):
    files = MultipleFileField(
        help_text="Glossary text files (.txt) or JSON exports (.json), at most "
        f"{sources.MAX_FILE_BYTES // 1024 // 1024} MB each."
    )
    publish = forms.BooleanField(
        required=False,
        help_text="Publish new entries straight away (reviewers only). Entries "
        "that already exist always get a change for review.",
    )


def _upload_dir(token: str) -> Path:
    return Path(tempfile.gettempdir()) / "threatwatch-imports" / token


def _read(folder: Path) -> tuple[list, list]:
    items, problems = [], []
    for path in sorted(folder.iterdir()):
        found, trouble = sources.read_source(path.name, path.read_bytes())
        items.extend(found)
        problems.extend(trouble)
    return items, problems


def _run(request, folder: Path, *, publish: bool, dry_run: bool):
    items, problems = _read(folder)
    try:
        report = importer.run(
            items,
            read_problems=problems,
            user=request.user,
            publish=publish,
            dry_run=dry_run,
        )
    except importer.ImportFailed as failed:
        return None, failed.problems
    return report, []


@staff_member_required
def import_entries(request: HttpRequest) -> HttpResponse:
    """Upload → dry-run report → confirm; the import runs as the editor."""
    if not request.user.has_perms(PERMISSIONS):
        raise PermissionDenied("You may not add incidents and glossary terms.")
    may_publish = services.can_review(request.user)
    context = {
        **admin.site.each_context(request),
        "title": "Import entries",
        "may_publish": may_publish,
        "limit_mb": sources.MAX_FILE_BYTES // 1024 // 1024,
    }
    form = ImportForm(request.POST or None, request.FILES or None)
    if not may_publish:
        del form.fields["publish"]
    pending = request.session.get(SESSION_KEY)
    if request.method == "POST" and "confirm" in request.POST:
        if not pending or request.POST.get("token") != pending["token"]:
            context["expired"] = True
        else:
            folder = _upload_dir(pending["token"])
            report, problems = _run(
                request, folder, publish=pending["publish"], dry_run=False
            )
            shutil.rmtree(folder, ignore_errors=True)
            del request.session[SESSION_KEY]
            context.update(report=report, problems=problems, done=True)
    elif request.method == "POST" and form.is_valid():
        too_big = [
            sources.too_big(f.name, f.size)
            for f in form.cleaned_data["files"]
            if f.size > sources.MAX_FILE_BYTES
        ]
        if too_big:
            context.update(problems=too_big)
        else:
            token = secrets.token_urlsafe(16)
            folder = _upload_dir(token)
            folder.mkdir(parents=True)
            for upload in form.cleaned_data["files"]:
                with open(folder / Path(upload.name).name, "wb") as out:
                    for chunk in upload.chunks():
                        out.write(chunk)
            publish = may_publish and form.cleaned_data.get("publish", False)
            report, problems = _run(request, folder, publish=publish, dry_run=True)
            if problems:
                shutil.rmtree(folder, ignore_errors=True)
            else:
                request.session[SESSION_KEY] = {"token": token, "publish": publish}
            context.update(report=report, problems=problems, token=token)
    context["form"] = form
    return render(request, "exchange/import.html", context)
