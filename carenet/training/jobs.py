"""Certificate batches: all of an event's certificates at once, as one PDF or a zip of PDFs,
made away from the web request with a progress bar.

The organiser asks for a batch on the certificates page (`batch_create`): a CertificateBatch row
(queued) records what they want. `batch_start` has it run, and the batch page polls
`batch_get` every second until it is done, then offers the file. As with the spreadsheet import
jobs (carenet/spreadsheets/jobs.py), how a batch runs is decided in one place: the runner
`run_certificate_batch(batch_id)` is the whole of the work, takes only the id and is idempotent
(a batch that is no longer queued is left alone), so a task queue can run it at national scale;
the embedded default starts a daemon thread in the web process, and tests (the setting
CARENET_CERTIFICATE_JOBS_INLINE) run it in the request itself.

Progress is real and lives on the row: the runner holds no long transaction (certificates are
only read), so it writes `done` after each chunk and the polling page sees it.

Bounded memory. WeasyPrint keeps a whole document's layout in memory, so the certificates are
drawn CHUNK at a time, each chunk one WeasyPrint document, and each chunk's pages go to a file on
disk before the next chunk is drawn:
* zip: the chunk's PDF is split into one PDF per page (pypdf), each added to the zip file as it
  is made;
* one PDF: `StreamingPdf` copies the chunk's objects straight into the output file, renumbered,
  and keeps only their byte offsets and the page references; the page tree, catalogue and
  cross-reference table are written at the end. (pypdf's own PdfWriter would hold every page of
  every chunk until it writes, so its memory grows with the batch.)
Memory is thus one chunk's document plus a few integers per page, whatever the size of the
batch; bench/certificates.py measures it. The finished file goes to the default storage.

A batch whose thread died with its process stays "running" with no progress; one still not
finished LOST_AFTER after it was asked for is marked failed when someone looks at it.
"""

from __future__ import annotations

import io
import logging
import os
import tempfile
import threading
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connections, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.core.services import audit_record
from carenet.training import certificates
from carenet.training.models import Certificate, CertificateBatch, TrainingEvent

logger = logging.getLogger(__name__)

CHUNK = 50  # certificates per WeasyPrint document
LOST_AFTER = timedelta(hours=2)
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
FINISHED = (DONE, FAILED)


# --- reads -------------------------------------------------------------------------------------


def batch_get(*, user: Any, pk: Any) -> CertificateBatch:
    """A batch of an event the user manages; 404 otherwise. One lost with its process is
    marked failed here."""
    batch = access.get_visible_or_404(
        user,
        CertificateBatch.objects.select_related("event"),
        field="event__area",
        perm=Perm.MANAGE_TRAINING,
        own=Q(pk__in=[]),
        pk=pk,
    )
    if batch.status not in FINISHED and timezone.now() - batch.created_at > LOST_AFTER:
        _fail(batch, _("The batch stopped before it finished (the server was restarted)."))
    return batch


def batch_list(*, event: TrainingEvent) -> QuerySet[CertificateBatch]:
    return CertificateBatch.objects.filter(event=event).order_by("-created_at", "-pk")[:10]


def batch_percent(batch: CertificateBatch) -> int:
    if batch.status in FINISHED:
        return 100
    return min(99, int(batch.done * 100 / batch.total)) if batch.total else 0


def event_certificates(event: TrainingEvent) -> QuerySet[Certificate]:
    """The event's valid certificates in the order they are printed: by area, then name."""
    return (
        Certificate.objects.filter(event=event, revoked=False)
        .select_related("event__centre")
        .order_by("area_id", "name_printed", "pk")
    )


def download_name(batch: CertificateBatch) -> str:
    return f"certificates-{batch.event_id}-{batch.pk}.{'zip' if batch.as_zip else 'pdf'}"


# --- writes ------------------------------------------------------------------------------------


@transaction.atomic
def batch_create(*, actor: Any, event: TrainingEvent, as_zip: bool) -> CertificateBatch:
    if not access.can(actor, Perm.MANAGE_TRAINING, event.area_id):
        raise Http404
    total = Certificate.objects.filter(event=event, revoked=False).count()
    batch = CertificateBatch.objects.create(
        event=event, as_zip=as_zip, total=total, requested_by=actor
    )
    audit_record(
        actor=actor,
        action="training.certificate_batch",
        target=batch,
        area_code=event.area_id,
        details={"as_zip": as_zip, "total": total},
    )
    return batch


def batch_start(batch: CertificateBatch, *, base: str | None = None) -> threading.Thread | None:
    """Has the batch run: in a background thread, or inline when the setting asks for it.
    The one place that chooses how (a task queue's enqueue would go here). `base` is the
    site's address as the request that asked for it reached the site: the certificates' QR
    codes lead there (certificates.verify_url)."""
    if getattr(settings, "CARENET_CERTIFICATE_JOBS_INLINE", False):
        run_certificate_batch(batch.pk, base=base)
        return None
    thread = threading.Thread(
        target=_run_in_thread,
        args=(batch.pk, base),
        name=f"certificate-batch-{batch.pk}",
        daemon=True,
    )
    transaction.on_commit(thread.start)  # the row must be committed before the thread reads it
    return thread


def _run_in_thread(batch_id: int, base: str | None) -> None:
    try:
        run_certificate_batch(batch_id, base=base)
    finally:
        connections.close_all()


def _chunks(batch: CertificateBatch) -> Iterator[list[Certificate]]:
    """The certificates CHUNK at a time, by primary-key ranges of the printing order (no
    OFFSET scans, nothing held between chunks)."""
    ids = list(event_certificates(batch.event).values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        wanted = ids[start : start + CHUNK]
        rows = Certificate.objects.select_related("event__centre", "event__venue_area").in_bulk(
            wanted
        )
        yield [rows[pk] for pk in wanted if pk in rows]


def run_certificate_batch(batch_id: int, *, base: str | None = None) -> None:
    """Runs one queued batch to the end. Safe to call twice: only a queued batch runs."""
    claimed = CertificateBatch.objects.filter(pk=batch_id, status=QUEUED).update(status=RUNNING)
    if not claimed:
        return
    batch = CertificateBatch.objects.select_related("event").get(pk=batch_id)
    batch.total = Certificate.objects.filter(event=batch.event, revoked=False).count()
    batch.done = 0
    batch.save(update_fields=["total", "done"])
    handle, path = tempfile.mkstemp(suffix=".zip" if batch.as_zip else ".pdf")
    try:
        with os.fdopen(handle, "w+b") as out:
            if batch.as_zip:
                _write_zip(batch, out, base=base)
            else:
                _write_pdf(batch, out, base=base)
            out.seek(0)
            stored = default_storage.save(
                f"training/batches/{timezone.now():%Y/%m}/{download_name(batch)}", File(out)
            )
    except Exception:
        logger.exception("certificate batch %s failed", batch_id)
        _fail(batch, _("The batch stopped because of an unexpected problem. Try again later."))
        return
    finally:
        if os.path.exists(path):
            os.unlink(path)
    batch.file = stored
    batch.status = DONE
    batch.finished_at = timezone.now()
    batch.save(update_fields=["file", "status", "finished_at"])


def _progress(batch: CertificateBatch, done: int) -> None:
    batch.done = done
    CertificateBatch.objects.filter(pk=batch.pk).update(done=done)


def _write_pdf(batch: CertificateBatch, out: IO[bytes], *, base: str | None) -> None:
    merged = StreamingPdf(out)
    done = 0
    for chunk in _chunks(batch):
        merged.append(certificates.render_certificates(chunk, base=base))
        done += len(chunk)
        _progress(batch, done)
    merged.close()


def _write_zip(batch: CertificateBatch, out: IO[bytes], *, base: str | None) -> None:
    from pypdf import PdfReader, PdfWriter

    done = 0
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for chunk in _chunks(batch):
            reader = PdfReader(io.BytesIO(certificates.render_certificates(chunk, base=base)))
            for certificate, page in zip(chunk, reader.pages, strict=True):
                single = PdfWriter()
                single.add_page(page)
                buffer = io.BytesIO()
                single.write(buffer)
                archive.writestr(certificates.file_name(certificate), buffer.getvalue())
            done += len(chunk)
            _progress(batch, done)


def _fail(batch: CertificateBatch, reason: str) -> None:
    batch.status = FAILED
    batch.error = reason
    batch.finished_at = timezone.now()
    batch.save(update_fields=["status", "error", "finished_at"])


# --- one PDF from many, written as it goes -----------------------------------------------------


class StreamingPdf:
    """Concatenates PDFs into one file, writing each one's objects as it is appended.

    Object 1 is the catalogue and 2 the page tree, written last; every page's /Parent points
    at 2. Only the byte offset of each object and a reference per page stay in memory.
    """

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.start = out.tell()
        self.offsets: dict[int, int] = {}
        self.pages: list[int] = []
        self.next_number = 3
        self._write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

    def _write(self, data: bytes) -> None:
        self.out.write(data)

    def _tell(self) -> int:
        return self.out.tell() - self.start

    def append(self, pdf: bytes) -> None:
        from pypdf import PdfReader
        from pypdf.generic import (
            ArrayObject,
            DictionaryObject,
            IndirectObject,
            NameObject,
            StreamObject,
        )

        reader = PdfReader(io.BytesIO(pdf))
        numbers: dict[int, int] = {}
        pending: list[int] = []

        def number_of(ref: IndirectObject) -> int:
            if ref.idnum not in numbers:
                numbers[ref.idnum] = self.next_number
                self.next_number += 1
                pending.append(ref.idnum)
            return numbers[ref.idnum]

        def remap(value: Any) -> Any:
            if isinstance(value, IndirectObject):
                return IndirectObject(number_of(value), 0, None)
            if isinstance(value, StreamObject):
                copy = value.__class__()
                copy._data = value._data
                for key, item in value.items():
                    copy[NameObject(key)] = remap(item)
                return copy
            if isinstance(value, DictionaryObject):
                result = DictionaryObject()
                for key, item in value.items():
                    result[NameObject(key)] = remap(item)
                return result
            if isinstance(value, ArrayObject):
                return ArrayObject(remap(item) for item in value)
            return value

        page_refs = []
        for page in reader.pages:
            ref = page.indirect_reference
            assert ref is not None
            page_refs.append(number_of(ref))
        self.pages.extend(page_refs)
        page_numbers = set(page_refs)
        while pending:
            old = pending.pop()
            obj = reader.get_object(old)
            new = numbers[old]
            if new in page_numbers:
                assert isinstance(obj, DictionaryObject)
                copied = remap(DictionaryObject({k: v for k, v in obj.items() if k != "/Parent"}))
                copied[NameObject("/Parent")] = IndirectObject(2, 0, None)
            else:
                copied = remap(obj)
            self.offsets[new] = self._tell()
            self._write(f"{new} 0 obj\n".encode())
            buffer = io.BytesIO()
            copied.write_to_stream(buffer)
            self._write(buffer.getvalue())
            self._write(b"\nendobj\n")

    def close(self) -> None:
        kids = " ".join(f"{n} 0 R" for n in self.pages)
        self.offsets[2] = self._tell()
        tree = f"<< /Type /Pages /Count {len(self.pages)} /Kids [{kids}] >>"
        self._write(f"2 0 obj\n{tree}\nendobj\n".encode())
        self.offsets[1] = self._tell()
        self._write(b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n")
        xref = self._tell()
        size = self.next_number
        lines = [f"xref\n0 {size}\n", "0000000000 65535 f \n"]
        for number in range(1, size):
            offset = self.offsets.get(number)
            lines.append(
                f"{offset:010d} 00000 n \n" if offset is not None else "0000000000 65535 f \n"
            )
        self._write("".join(lines).encode())
        self._write(f"trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
