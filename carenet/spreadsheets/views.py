"""The import & export pages: the landing page, exports, uploads and import jobs."""

import re
from pathlib import PurePath

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.spreadsheets import columns, export_jobs, exporting, jobs
from carenet.spreadsheets import figures as figures_file
from carenet.spreadsheets.forms import ExportForm, UploadForm, max_upload_bytes
from carenet.spreadsheets.models import ImportKind, JobStatus
from carenet.volunteers import figures, views_figures

RECENT_JOBS = 10


# The token export.js sends, to learn from a cookie when its download began.
READY_TOKEN = re.compile(r"[a-z0-9]{1,16}")


@access.requires(Perm.EXPORT_DATA)
def home(request: HttpRequest) -> HttpResponse:
    can_import = access.can(request.user, Perm.IMPORT_DATA)
    return render(
        request,
        "spreadsheets/home.html",
        {
            "can_import": can_import,
            "ids_masked": not access.can(request.user, Perm.MANAGE_HOUSEHOLDS),
            "areas": exporting.area_options(user=request.user),
            "form": ExportForm(),
            "jobs": list(jobs.job_list(user=request.user)[:RECENT_JOBS]) if can_import else [],
            "exports": list(export_jobs.export_job_list(user=request.user)[: export_jobs.RECENT]),
        },
    )


@access.requires(Perm.EXPORT_DATA)
def export(request: HttpRequest, dataset: str, fmt: str) -> HttpResponseBase:
    form = ExportForm(request.GET, dataset=dataset)
    if not form.is_valid():
        raise Http404
    try:
        prepared = exporting.export_prepare(
            user=request.user,
            dataset=dataset,
            fmt=fmt,
            area_code=form.cleaned_data["area"],
            status=form.cleaned_data.get("status", ""),
            subset=exporting.HouseholdSubset(**form.subset()),
        )
    except exporting.AreaOutOfScope:
        raise Http404 from None
    if export_jobs.wants_job(prepared):
        running = export_jobs.export_job_running(user=request.user)
        if running is not None:
            messages.warning(
                request,
                _("Your previous export is still being written. Wait for it, then ask again."),
            )
            return redirect("spreadsheets:export_job", pk=running.pk)
        job = export_jobs.export_job_create(actor=request.user, export=prepared)
        export_jobs.export_job_start(job)
        return redirect("spreadsheets:export_job", pk=job.pk)
    if prepared.fmt == exporting.Format.CSV:
        response: HttpResponseBase = StreamingHttpResponse(
            exporting.csv_chunks(prepared), content_type=prepared.content_type
        )
        response["Content-Disposition"] = f'attachment; filename="{prepared.filename}"'
    else:
        response = FileResponse(
            exporting.xlsx_file(prepared),
            as_attachment=True,
            filename=prepared.filename,
            content_type=prepared.content_type,
        )
    response["Cache-Control"] = "no-store"
    ready = request.GET.get("ready", "")
    if READY_TOKEN.fullmatch(ready):  # tells the page the download began (export.js)
        response.set_cookie(
            "carenet_export", ready, max_age=120, samesite="Lax", secure=request.is_secure()
        )
    return response


@access.requires(Perm.EXPORT_DATA)
@require_GET
def volunteer_figures(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """The volunteer figures page's tables as a file (spreadsheets.figures); the download is
    logged. A period typed wrong gives the page, with its reason (400)."""
    if fmt not in figures_file.FORMATS:
        raise Http404
    if not access.can(request.user, figures.FIGURES_PERM):
        raise PermissionDenied
    base, form = views_figures.figures_asked(request)
    period = form.period()
    if period is None:
        return views_figures.volunteer_figures(request)
    found = figures.volunteer_figures(
        user=request.user, period=period, base=base, today=timezone.localdate()
    )
    prepared = figures_file.figures_file_prepare(user=request.user, figures=found, fmt=fmt)
    return exporting.table_download(
        fmt,
        prepared.headers,
        iter(prepared.rows),
        filename=prepared.filename,
        title=_("Volunteer figures"),
    )


@access.requires(Perm.EXPORT_DATA)
def export_job(request: HttpRequest, pk: int) -> HttpResponse:
    """A large export being written, then its file (export_jobs.py)."""
    job = export_jobs.export_job_get(user=request.user, pk=pk)
    return render(request, "spreadsheets/export_job.html", {"job": job})


@access.requires(Perm.EXPORT_DATA)
def export_job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's progress alone, polled by its page until the file is ready."""
    job = export_jobs.export_job_get(user=request.user, pk=pk)
    return render(request, "spreadsheets/_export_progress.html", {"job": job})


@access.requires(Perm.EXPORT_DATA)
def export_job_file(request: HttpRequest, pk: int) -> FileResponse:
    job = export_jobs.export_job_get(user=request.user, pk=pk)
    opened = export_jobs.export_job_file(job)
    if opened is None:
        raise Http404
    response = FileResponse(
        opened,
        as_attachment=True,
        filename=job.file_name,
        content_type=exporting.CONTENT_TYPES[exporting.Format(job.fmt)],
    )
    response["Cache-Control"] = "no-store"
    return response


@access.requires(Perm.IMPORT_DATA)
def template(request: HttpRequest, dataset: str) -> FileResponse:
    """A blank workbook with the columns the import reads."""
    blank = exporting.blank_template(dataset)
    return FileResponse(
        exporting.xlsx_file(blank),
        as_attachment=True,
        filename=blank.filename,
        content_type=blank.content_type,
    )


@access.requires(Perm.IMPORT_DATA)
def upload(request: HttpRequest) -> HttpResponse:
    running = jobs.job_running(user=request.user)
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if running is not None:
            form.add_error(None, _("Your previous import is still running. Wait for it to end."))
        if form.is_valid():
            job = jobs.job_create(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                dry_run=form.cleaned_data["dry_run"],
                on_existing=form.cleaned_data["on_existing"],
            )
            jobs.job_start(job)
            return redirect("spreadsheets:job", pk=job.pk)
    else:
        form = UploadForm(initial={"kind": request.GET.get("kind", "households")})
    guide = [
        (kind, cols, _accepted_words(cols))
        for kind, cols in (
            (ImportKind.HOUSEHOLDS, columns.imported(columns.HOUSEHOLD_IMPORT_COLUMNS)),
            (ImportKind.VOLUNTEERS, columns.imported(columns.VOLUNTEER_IMPORT_COLUMNS)),
        )
    ]
    return render(
        request,
        "spreadsheets/upload.html",
        {
            "form": form,
            "running": running,
            "max_bytes": max_upload_bytes(),
            "guide": guide,
            "as_of_column": columns.AS_OF.label,
        },
        status=400 if form.errors else 200,  # a file refused, as other forms refuse
    )


# Coded columns whose cells hold one word, or several separated by commas, from a list.
_WORD_LISTS = {
    **exporting.TEMPLATE_LISTS,
    "vulnerable_groups": columns.GROUPS,
    "welfare": columns.WELFARE,
    "other_roles": columns.OTHER_ROLES,
}
_SEVERAL = frozenset({"vulnerable_groups", "welfare", "other_roles"})
_YES_NO = frozenset({"bedridden", "lives_alone"})


def _accepted_words(cols: tuple[columns.Column, ...]) -> list[tuple[str, str, bool]]:
    """(column, the words its cells may hold, whether several) for the guide: an office fills
    a sheet before its first upload, not after the errors of one. The groups Carenet works out
    from age and sex are left out: a file may name them, but they are not kept."""
    accepted = []
    for col in cols:
        if col.key in _YES_NO:
            accepted.append((col.label, _("“ใช่” or “ไม่”, or blank"), False))
        elif col.key in _WORD_LISTS:
            words = _WORD_LISTS[col.key].words
            derived = columns.DERIVED_GROUPS if col.key == "vulnerable_groups" else set()
            kept = [w[0] for code, w in words.items() if code not in derived]
            accepted.append((col.label, ", ".join(kept), col.key in _SEVERAL))
    return accepted


@access.requires(Perm.IMPORT_DATA)
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = jobs.job_get(user=request.user, pk=pk)
    progress = jobs.job_progress(job)
    if not job.is_finished:
        return render(request, "spreadsheets/job.html", {"job": job, "progress": progress})
    return render(
        request,
        "spreadsheets/job_result.html",
        {
            "job": job,
            "counts": jobs.job_counts(job),
            "errors": jobs.job_errors(job),
            "warnings": jobs.job_warnings(job),
            "changes": jobs.job_changes(job),
        },
    )


@access.requires(Perm.IMPORT_DATA)
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar alone, polled by the job page; once finished, sends it to the result."""
    job = jobs.job_get(user=request.user, pk=pk)
    progress = jobs.job_progress(job)
    response = render(
        request, "spreadsheets/_progress.html", {"job": job, "progress": progress, "poll": True}
    )
    if job.is_finished:
        response["HX-Redirect"] = reverse("spreadsheets:job", kwargs={"pk": job.pk})
    return response


@access.requires(Perm.IMPORT_DATA)
def job_report(request: HttpRequest, pk: int) -> FileResponse:
    job = jobs.job_get(user=request.user, pk=pk)
    if not job.report_file or not default_storage.exists(job.report_file):
        raise Http404
    name = f"carenet-report-{PurePath(job.file_name).stem or job.pk}.csv"
    response = FileResponse(
        default_storage.open(job.report_file, "rb"),
        as_attachment=True,
        filename=name,
        content_type="text/csv; charset=utf-8",
    )
    response["Cache-Control"] = "no-store"
    return response


@access.requires(Perm.IMPORT_DATA)
@require_POST
def job_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Imports the file of a clean check, without uploading it again."""
    job = jobs.job_get(user=request.user, pk=pk)
    if job.follow_up_id is None and not job.can_confirm:
        raise Http404
    removals = job.follow_up_id is None and (job.result or {}).get("removal_count")
    if removals and not request.POST.get("removals_read"):  # the box is required: forced
        messages.error(request, removals_unread())
        return redirect("spreadsheets:job", pk=job.pk)
    follow_up = jobs.job_confirm(actor=request.user, job=job)
    if follow_up.status == JobStatus.QUEUED:
        jobs.job_start(follow_up)
    return redirect("spreadsheets:job", pk=follow_up.pk)


def removals_unread() -> str:
    return _(
        "Nothing was imported: this file takes recorded groups or welfare off people. Read "
        "the changes marked in red, then tick the box to say they are right."
    )
