"""Learning pages: editing and taking the pre- and post-tests, the evaluation form, the event
report, completing the event, certificates (one, or a batch with progress) and the public
verify page.

Access: editing tests, completing, batches need MANAGE_TRAINING over the event's area; the
report needs VIEW_TRAINING over it (its centre, the province, the ministry, auditors); a test
and the evaluation form are for the invited volunteer themself; a certificate for its volunteer
or a manager of the event's or the volunteer's area; verify is public. Out of scope is 404.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.core.forms import int_or_none
from carenet.core.pdf import stream_pdf_response
from carenet.training import certificates, jobs, learning
from carenet.training.models import EventStatus, Question, QuizKind


def _messages(error: ValidationError) -> list[str]:
    return [str(m) for m in error.messages]


# --- tests: editing ----------------------------------------------------------------------------


def _posted_choices(request: HttpRequest) -> list[tuple[str, int]]:
    choices = []
    for n in range(1, learning.MAX_CHOICES + 1):
        text = request.POST.get(f"choice_{n}", "")[:500]
        score = int_or_none(request.POST.get(f"score_{n}", "0") or "0")
        choices.append((text, -1 if score is None else score))
    return choices


@access.requires(Perm.MANAGE_TRAINING)
@require_http_methods(["GET", "POST"])
def quiz_edit(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    event = learning.event_for_manager(user=request.user, pk=pk)
    if kind not in QuizKind.values:
        raise Http404
    other = QuizKind.POST if kind == QuizKind.PRE else QuizKind.PRE
    errors: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "add":
                added_to = learning.quiz_ensure(actor=request.user, event=event, kind=kind)
                learning.question_add(
                    actor=request.user,
                    quiz=added_to,
                    text=request.POST.get("text", "")[:4000],
                    choices=_posted_choices(request),
                )
                messages.success(request, _("The question is added."))
            elif action == "delete":
                question = Question.objects.filter(
                    pk=int_or_none(request.POST.get("question")) or 0,
                    quiz__event=event,
                    quiz__kind=kind,
                ).first()
                if question is None:
                    raise Http404
                learning.question_delete(actor=request.user, question=question)
                messages.success(request, _("The question is deleted."))
            elif action == "copy":
                learning.quiz_copy(actor=request.user, event=event, source=other, target=kind)
                messages.success(request, _("The questions are copied."))
            elif action in ("open", "close"):
                opened = learning.quiz_ensure(actor=request.user, event=event, kind=kind)
                learning.quiz_set_open(actor=request.user, quiz=opened, open=action == "open")
                messages.success(
                    request,
                    _("The test is open for answers.")
                    if action == "open"
                    else _("The test is closed."),
                )
            else:
                raise ValidationError(_("Choose what to do."))
        except ValidationError as error:
            errors = _messages(error)
        else:
            return redirect("training:quiz_edit", pk=event.pk, kind=kind)
    quiz = learning.quiz_of(event, kind)
    other_quiz = learning.quiz_of(event, other)
    return render(
        request,
        "training/quiz_edit.html",
        {
            "event": event,
            "kind": kind,
            "other": other,
            "quiz": quiz,
            "questions": learning.quiz_questions(quiz),
            "taken": quiz.attempts.count() if quiz else 0,
            "other_count": other_quiz.questions.count() if other_quiz else 0,
            "errors": errors,
            "posted_text": request.POST.get("text", "") if errors else "",
            "choice_rows": [
                {
                    "n": n,
                    "text": request.POST.get(f"choice_{n}", "") if errors else "",
                    "score": (request.POST.get(f"score_{n}") if errors else None) or "0",
                }
                for n in range(1, learning.MAX_CHOICES + 1)
            ],
        },
        status=400 if errors else 200,
    )


# --- tests: taking -----------------------------------------------------------------------------


@access.requires(Perm.VIEW_TRAINING)
@require_http_methods(["GET", "POST"])
def quiz_take(request: HttpRequest, pk: int) -> HttpResponse:
    quiz, invitation = learning.quiz_for_taker(user=request.user, pk=pk)
    errors: list[str] = []
    chosen: dict[str, Any] = {}
    if request.method == "POST":
        answers = {
            key[1:]: value
            for key, value in request.POST.items()
            if key.startswith("q") and key[1:].isdigit()
        }
        try:
            learning.quiz_submit(actor=request.user, quiz=quiz, answers=answers)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            errors = _messages(error)
            chosen = answers
        else:
            messages.success(request, _("Thank you: your answers are saved."))
            return redirect("training:quiz_take", pk=quiz.pk)
    attempt = learning.attempt_of(quiz, invitation)
    return render(
        request,
        "training/quiz_take.html",
        {
            "quiz": quiz,
            "event": quiz.event,
            "attempt": attempt,
            "percent": round(attempt.score * 100 / attempt.max_score)
            if attempt and attempt.max_score
            else 0,
            "questions": learning.quiz_questions(quiz) if attempt is None and quiz.open else [],
            "errors": errors,
            "chosen": chosen,
        },
        status=400 if errors else 200,
    )


# --- evaluation --------------------------------------------------------------------------------


@access.requires(Perm.VIEW_TRAINING)
@require_http_methods(["GET", "POST"])
def evaluation(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = learning.my_invitation_for(user=request.user, event_id=pk)
    if invitation is None:
        # Organisers and those above them see the answers, not a form.
        if request.method != "GET":
            raise Http404
        event = learning.event_for_viewer(user=request.user, pk=pk)
        report = learning.event_report(event)
        return render(request, "training/evaluation.html", {"event": event, "report": report})
    event = invitation.event
    errors: dict[str, Any] = {}
    general: list[str] = []
    if request.method == "POST":
        ratings = {code: request.POST.get(code) for code in learning.TOPIC_CODES}
        try:
            learning.evaluation_submit(
                actor=request.user,
                event=event,
                ratings=ratings,
                comment=request.POST.get("comment", ""),
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                errors = {k: " ".join(v) for k, v in error.message_dict.items()}
            else:
                general = _messages(error)
        else:
            messages.success(request, _("Thank you: your evaluation is saved."))
            return redirect("training:evaluation", pk=event.pk)
    done = hasattr(invitation, "evaluation") and invitation.evaluation is not None
    topics = [
        {
            "code": code,
            "label": label,
            "error": errors.get(code, ""),
            "value": request.POST.get(code, ""),
        }
        for code, label in learning.EVALUATION_TOPICS
    ]
    return render(
        request,
        "training/evaluation.html",
        {
            "event": event,
            "form_for": invitation,
            "done": done and request.method == "GET",
            "topics": topics,
            "ratings": list(learning.RATINGS),
            "errors": general,
            "comment": request.POST.get("comment", ""),
        },
        status=400 if (errors or general) else 200,
    )


# --- report and completion --------------------------------------------------------------------


@access.requires(Perm.VIEW_TRAINING)
@require_GET
def report(request: HttpRequest, pk: int) -> HttpResponse:
    event = learning.event_for_viewer(user=request.user, pk=pk)
    can_manage = access.can(request.user, Perm.MANAGE_TRAINING, event.area_id)
    return render(
        request,
        "training/report.html",
        {
            "event": event,
            "report": learning.event_report(event),
            "can_manage": can_manage,
            "preview": learning.completion_preview(event) if can_manage else None,
        },
    )


@access.requires(Perm.MANAGE_TRAINING)
@require_http_methods(["GET", "POST"])
def complete(request: HttpRequest, pk: int) -> HttpResponse:
    event = learning.event_for_manager(user=request.user, pk=pk)
    if event.status == EventStatus.CANCELLED:
        messages.error(request, _("This event is cancelled: it cannot be completed."))
        return redirect("training:event", pk=event.pk)
    if request.method == "POST":
        try:
            done = learning.event_complete(actor=request.user, event=event)
        except ValidationError as error:
            messages.error(request, " ".join(_messages(error)))
            return redirect("training:complete", pk=event.pk)
        messages.success(
            request,
            _("Done: %(c)s new certificates and %(g)s competencies granted.")
            % {"c": done.certificates_new, "g": done.grants_new},
        )
        return redirect("training:report", pk=event.pk)
    return render(
        request,
        "training/complete.html",
        {
            "event": event,
            "preview": learning.completion_preview(event),
            "attendance": learning.attendance_figures(event),
            "competencies": list(event.competencies.all()),
        },
    )


# --- certificates --------------------------------------------------------------------------


@access.requires(Perm.VIEW_TRAINING)
@require_GET
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    found = certificates.certificate_get(user=request.user, pk=pk)
    pdf = certificates.render_certificate(found, base=request.build_absolute_uri("/"))
    return stream_pdf_response(pdf, certificates.file_name(found), inline=True)


HOLDERS_SHOWN = 500


@access.requires(Perm.MANAGE_TRAINING)
@require_http_methods(["GET", "POST"])
def batch_new(request: HttpRequest, pk: int) -> HttpResponse:
    event = learning.event_for_manager(user=request.user, pk=pk)
    if request.method == "POST":
        choice = request.POST.get("format")
        if choice not in ("pdf", "zip"):
            messages.error(request, _("Choose one PDF or a zip of PDFs."))
            return redirect("training:batch_new", pk=event.pk)
        batch = jobs.batch_create(actor=request.user, event=event, as_zip=choice == "zip")
        jobs.batch_start(batch, base=request.build_absolute_uri("/"))
        return redirect("training:batch", pk=batch.pk)
    return render(
        request,
        "training/batch_new.html",
        {
            "event": event,
            "count": jobs.event_certificates(event).count(),
            # Who got one, each with their own PDF: the first HOLDERS_SHOWN, as printed.
            "holders": list(jobs.event_certificates(event).select_related("area")[:HOLDERS_SHOWN]),
            "batches": jobs.batch_list(event=event),
        },
    )


def _batch_context(batch: Any) -> dict[str, Any]:
    return {"batch": batch, "event": batch.event, "percent": jobs.batch_percent(batch)}


@access.requires(Perm.MANAGE_TRAINING)
@require_GET
def batch(request: HttpRequest, pk: int) -> HttpResponse:
    found = jobs.batch_get(user=request.user, pk=pk)
    return render(request, "training/batch.html", _batch_context(found))


@access.requires(Perm.MANAGE_TRAINING)
@require_GET
def batch_progress(request: HttpRequest, pk: int) -> HttpResponse:
    found = jobs.batch_get(user=request.user, pk=pk)
    return render(request, "training/batch_progress.html", _batch_context(found))


@access.requires(Perm.MANAGE_TRAINING)
@require_GET
def batch_download(request: HttpRequest, pk: int) -> FileResponse:
    found = jobs.batch_get(user=request.user, pk=pk)
    if found.status != jobs.DONE or not found.file or not default_storage.exists(found.file.name):
        raise Http404
    response = FileResponse(
        default_storage.open(found.file.name, "rb"),
        as_attachment=True,
        filename=jobs.download_name(found),
        content_type="application/zip" if found.as_zip else "application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- public verification ---------------------------------------------------------------------


@access.public
@require_GET
def verify(request: HttpRequest, code: str | None = None) -> HttpResponse:
    typed = (code if code is not None else request.GET.get("code", ""))[:64]
    if not typed.strip():
        return render(request, "training/verify.html", {"asked": False, "typed": ""})
    found = certificates.verify_lookup(typed)
    return render(
        request,
        "training/verify.html",
        {"asked": True, "typed": typed, "found": found},
        status=200 if found else 404,
    )
