"""Importing households and their people from a spreadsheet, one row per person.

The file is read one chunk of rows at a time (`tabular.open_table`), so a million rows take
the memory of a few thousand, plus a little per household. For each chunk:

1. every row is checked on its own (`rows.RowReader`: cells, area, scope), without queries;
2. the chunk's people are looked up in a few queries (`stored`): stored people by citizen-ID
   hash, or, for rows without an ID, by exact name, birth date and subdistrict; households
   none of whose rows is a stored person, by address; volunteers by citizen-ID hash;
3. each person is decided: new, or the stored person (updated, skipped or an error, as
   `on_existing` says); a household becomes the stored household of its first stored member
   (or of its address), or a new one. Duplicates within the file are errors;
4. while the file has no error, the chunk's new people, their consents, and the households
   the file has moved past are written (below).

The whole import is one transaction, and nothing is committed before every row has been
checked: at the first error the writing stops, the rest of the file is still checked so that
the report lists every problem, and the transaction is rolled back. A file with any error
imports nothing; a dry run writes nothing.

Speed comes from keeping two processes and the database busy at the same time. A file longer
than a chunk is read and checked (step 1) by a second process, forked for it, while this one
does the rest (`readahead`). On PostgreSQL the rows of chunk k are written by COPY in a
background thread (`writing.Pipeline`) while chunk k+1 is decided; only the lookups of a chunk
wait for the connection. Each new person and household gets an id reserved in advance
(`writing.IdReserve`), so rows can refer to rows not yet written. A household is written
(with its head, and its priority worked out from its members by
carenet.households.vulnerability) once a chunk has gone by without rows of it; the rare
household that turns up again further down is brought up to date at the end. Also at the
end: volunteers are assigned, stored households that changed are updated and their priority
recomputed, and one audit row records the import. A household found to be a stored one only
after some of its new members were written (its stored member comes further down the file)
has those members moved into it.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import count
from statistics import median
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from carenet.accounts import disclosure
from carenet.core import citizen_id, thaidate
from carenet.core.models import AuditEvent
from carenet.core.people import full_name, name_key, phone_shown
from carenet.core.services import audit_areas, audit_record_each
from carenet.core.tabular import RowError, Source, TableError, TableStream, open_table
from carenet.households.cleaning import household_move_refused
from carenet.households.models import (
    Consent,
    Household,
    HouseholdAssignment,
    Person,
    PersonStatus,
    Relation,
)
from carenet.households.selectors import GPS_FAR_KM, GPS_NEIGHBOURS_MIN, km_between
from carenet.households.services import households_recompute
from carenet.households.vulnerability import RECORDED_FLAGS
from carenet.spreadsheets.columns import (
    GROUPS,
    RELATIONS,
    VOLUNTEER_COLUMNS,
    VOLUNTEER_ONLY,
    WELFARE,
    label,
    other_kind_column,
)
from carenet.spreadsheets.columns import HOUSEHOLD_IMPORT_COLUMNS as COLUMNS
from carenet.spreadsheets.importing import stored, tables
from carenet.spreadsheets.importing.common import (
    ON_EXISTING,
    Counts,
    ImportResult,
    ProgressCallback,
    ProgressReporter,
    Report,
    collector_paused,
    import_audit,
    no_name_column,
    renamed_reason,
    source_name,
    user_or_none,
    wrong_kind,
)
from carenet.spreadsheets.importing.places import Areas, Scope
from carenet.spreadsheets.importing.readahead import checked_chunks
from carenet.spreadsheets.importing.rows import (
    ADDRESS_COLUMN,
    ADDRESS_FIELDS,
    TEXT_FIELDS,
    WELFARE_CODES,
    FileHousehold,
    PersonRow,
    RowReader,
    shown_address,
)
from carenet.spreadsheets.importing.writing import FirstLoad, IdReserve, Pipeline, among
from carenet.spreadsheets.models import ImportKind
from carenet.volunteers.models import Volunteer, VolunteerStatus

AUDIT_ACTION = "spreadsheets.import_households"
# The person fields a result lists the changes of, each under the column that sets it, with
# the labels of those that are choices.
CHANGED_SHOWN = ("first_name", *TEXT_FIELDS)
_LABELS = {
    name: dict(getattr(Person._meta.get_field(name), "flatchoices", ())) for name in CHANGED_SHOWN
}
WRITTEN = (Person, Consent, Household, HouseholdAssignment)


class _Rollback(Exception):
    """Leaves the import's transaction without keeping anything."""


@dataclass
class _Batch:
    """The rows one chunk writes, and the likely duplicates to look for after them."""

    people: list[tuple[Any, ...]] = field(default_factory=list)
    consents: list[tuple[Any, ...]] = field(default_factory=list)
    households: list[tuple[Any, ...]] = field(default_factory=list)
    assignments: list[tuple[Any, ...]] = field(default_factory=list)
    updates: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    likely: stored.LikelyDuplicates | None = None


def import_households(
    *,
    actor: Any,
    source: Source,
    dry_run: bool = False,
    on_existing: str = "update",
    progress: ProgressCallback | None = None,
    max_rows: int | None = None,
    today: date | None = None,
    hold_changes: bool = False,
) -> ImportResult:
    """Checks a CSV or XLSX file of households (one row per person), then imports it whole.

    `actor` is the user importing (rows outside their IMPORT_DATA scope are errors), or None
    for the system, with national scope. `on_existing` says what a person already stored
    does: "update" them from the file, "skip" the row, or make the row an "error".
    `progress(stage, done, total)` is called per chunk of rows ("checking", then
    "importing"). With any error nothing is written and `errors` lists every problem.
    `hold_changes`: a file that would change records already registered writes nothing
    either, and says so (`held`), for the changes to be reviewed before they are made.
    """
    if on_existing not in ON_EXISTING:
        raise ValueError(f"on_existing must be one of {ON_EXISTING}")
    job = _HouseholdImport(
        actor=actor,
        source=source,
        dry_run=dry_run,
        on_existing=on_existing,
        progress=progress,
        max_rows=max_rows,
        today=today or timezone.localdate(),
    )
    job.hold_changes = hold_changes
    with collector_paused():
        return job.run().in_row_order()


class _HouseholdImport:
    def __init__(
        self,
        *,
        actor: Any,
        source: Source,
        dry_run: bool,
        on_existing: str,
        progress: ProgressCallback | None,
        max_rows: int | None,
        today: date,
    ) -> None:
        self.actor, self.user = actor, user_or_none(actor)
        self.allowance = disclosure.Allowance(self.user)
        self.source, self.dry_run, self.on_existing = source, dry_run, on_existing
        self.hold_changes = False
        self.progress_callback, self.max_rows, self.today = progress, max_rows, today
        self.result = ImportResult(
            kind="households", file_name=source_name(source), dry_run=dry_run
        )
        self.now = timezone.now()
        self.user_id = self.user.pk if self.user is not None else None
        # Within the file: citizen ID -> row, exact name key -> row, sound-alike -> row.
        self.ids_seen: dict[int, int] = {}
        self.names_seen: dict[tuple[str, str, date | None, str], int] = {}
        self.alike_seen: dict[int, int] = {}
        self.volunteers: dict[str, dict[str, Any] | None] = {}
        self.volunteer_names: dict[int, str] = {}  # of those found, for the changes listed
        self.area_has_households: dict[str, bool] = {}  # an active stored household is there
        # New households not written yet, and the stored households the file touches.
        self.open: dict[int, FileHousehold] = {}
        self.stored: dict[int, FileHousehold] = {}
        # Stored household id -> the one household of the file it turned out to be.
        self.claimed: dict[int, FileHousehold] = {}
        self.reopened: dict[int, FileHousehold] = {}
        # Stored household id -> its volunteers (id -> name), for those the file touches.
        self.assignments: dict[int, dict[int, str]] = {}
        self.matched_rows: dict[int, int] = {}  # stored person -> the row found to be them
        self.assigned_at: dict[int, datetime] = {}  # when its latest volunteer was assigned
        self.audits: list[AuditEvent] = []  # a row for each stored record the file changes
        # Stored household id -> its stored people the file lists.
        self.listed: dict[int, set[int]] = {}
        # Stored households a member of the file was found in by citizen ID (the others only
        # by name, birth date and subdistrict).
        self.found_by_id: set[int] = set()
        self.chunk = 0
        self.batch = _Batch()
        self.likely_pending: stored.LikelyDuplicates | None = None
        # Of the chunk's rows without an ID or birth date: stored people of the same name.
        self.namesakes: dict[int, list[dict[str, Any]]] = {}
        # New households at a house no. where other stored households are (not joined).
        self.same_place: dict[int, list[dict[str, Any]]] = {}
        # Of the chunk's rows with another document: the stored people holding its number.
        self.same_document: dict[int, list[dict[str, Any]]] = {}
        # The new households some row of which gives a relation (id(household)), until closed.
        self.related: set[int] = set()

    # -- the import as a whole ------------------------------------------------------------

    def run(self) -> ImportResult:
        result = self.result
        try:
            table = open_table(self.source, COLUMNS, max_rows=self.max_rows)
        except TableError as error:
            _file_errors(result, error.errors)
            return result
        with table:
            if not (table.has("subdistrict") or table.has("subdistrict_code")):
                _file_errors(result, [_no_area_column(table.header_row)])
                return result
            if not (table.has("first_name") or table.has("full_name")):
                _file_errors(result, [no_name_column(table.header_row, COLUMNS)])
                return result
            other = other_kind_column(table.ignored, VOLUNTEER_COLUMNS, VOLUNTEER_ONLY)
            if other:
                _file_errors(result, [wrong_kind(table.header_row, other, ImportKind.VOLUNTEERS)])
                return result
            try:
                if self.dry_run:
                    self._import(table)
                else:
                    with transaction.atomic():
                        self._import(table)
                        if result.error_count:
                            raise _Rollback
                        if self.hold_changes and result.change_count:
                            result.held = True
                            raise _Rollback
            except _Rollback:
                pass
            except TableError as error:  # found further down the file, while reading it
                _file_errors(result, error.errors)
            except IntegrityError:
                # Every value was checked before it was written: only a concurrent change
                # (someone registered one of these people meanwhile) gets here.
                _file_errors(result, [_concurrent_change()])
        self.allowance.record()
        if result.error_count:
            result.households, result.people = Counts(), Counts()
        return result

    def _import(self, table: TableStream) -> None:
        result = self.result
        self.report = Report(result, table.headers, COLUMNS)
        # A whole name stands for the title and the name's parts.
        named = ("title", "first_name", "last_name") if table.has("full_name") else ()
        self.report.ignored_columns(table, covered=named)
        self.report.marks_unread(table)
        if not (table.has("household_ref") or table.has("house_no")):
            self.report.warning(
                table.header_row,
                "",
                "",
                _(
                    "The file has neither a “%(ref)s” nor a “%(house_no)s” column, so each row "
                    "was taken as a household of its own. To import families, add one of the "
                    "two columns, or check that its header is written as the template writes it."
                )
                % {
                    "ref": label(COLUMNS, "household_ref"),
                    "house_no": label(COLUMNS, "house_no"),
                },
            )
        # A file exported from Carenet (it carries the export's "data as of" column) writes
        # each household's number in Carenet as its ref (_check_refs).
        self.refs_are_numbers = table.has("as_of") and table.has("household_ref")
        self.areas = Areas()
        self.scope = Scope(self.actor)
        self.reader = RowReader(
            table=table, areas=self.areas, scope=self.scope, report=self.report, today=self.today
        )
        progress = ProgressReporter(self.progress_callback)
        self.pipeline: Pipeline | None = None
        self.first_load: FirstLoad | None = None
        if self.dry_run:
            fake = count(-1, -1)
            self.take_person_id = self.take_household_id = fake.__next__
        else:
            self.first_load = FirstLoad.begin(WRITTEN)
            self.pipeline = Pipeline(
                checked=WRITTEN,
                deferred=tables.DEFERRED_CONSTRAINTS,
            )
            self.ids = (IdReserve(Person), IdReserve(Household))
            self.take_person_id, self.take_household_id = (ids.take for ids in self.ids)
            self.writers = tables.writers()
        # Rows stored before the import: what the import writes has ids from these on.
        self.people_below = max(self.take_person_id(), 0) or 2**62
        self.households_below = max(self.take_household_id(), 0) or 2**62
        waiting: _Batch | None = None  # the previous chunk's rows, written after its lookups
        try:
            # With nobody stored yet (a first load), no row updates a stored person.
            given = self.first_load is None
            for checked in checked_chunks(table, self.reader, given=given):
                self.chunk += 1
                people = checked.people
                result.total_rows += checked.rows
                self._wait()
                self._look_up(people)
                for ids in self.ids if self.pipeline is not None else ():
                    ids.ensure(len(people))  # while the connection is free
                if waiting is not None:
                    self._write(waiting)  # the database writes it while this chunk is decided
                for person in people:
                    self._decide(person)
                waiting = self._prepare(people)
                progress.checking(result.total_rows, checked.fraction)
            self._wait()
            if waiting is not None:
                self._write(waiting)
            self._wait()
            self._warn_of_far_points()
            if not result.total_rows:
                self.report.no_rows(table.header_row)
            if not result.error_count:
                progress.importing(result.total_rows, result.total_rows)
                self._finish()
            self.report.summarize_repeats()
        finally:
            if self.pipeline is not None:
                self.pipeline.close()

    def _warn_of_far_points(self) -> None:
        """A household's GPS point far from the middle of the file's other points in its
        subdistrict is questioned, as the form questions it: taken at the office, or with a
        digit mistyped."""
        by_subdistrict: dict[str, list[FileHousehold]] = {}
        for household in self.reader.households.values():
            address = household.address
            if address[0] and address[5] is not None and address[6] is not None:
                by_subdistrict.setdefault(address[0][:6], []).append(household)
        for code, households in by_subdistrict.items():
            if len(households) < GPS_NEIGHBOURS_MIN:
                continue  # too few to tell where the subdistrict is
            lats = [float(h.address[5]) for h in households]
            lons = [float(h.address[6]) for h in households]
            middle = (median(lats), median(lons))
            # A degree of latitude is 111 km, of longitude no more: a point within
            # GPS_FAR_KM / (111 * 1.5) degrees of the middle both ways is nearer than
            # GPS_FAR_KM (1.5 > the square root of 2), and needs no more reckoning.
            near = GPS_FAR_KM / (111.0 * 1.5)
            for lat, lon, household in zip(lats, lons, households, strict=True):
                if abs(lat - middle[0]) < near and abs(lon - middle[1]) < near:
                    continue
                if _point_kept(household):
                    continue  # questioned when it was recorded: the file changes nothing
                km = km_between((lat, lon), middle)
                if km > GPS_FAR_KM:
                    self.report.warning(
                        household.row,
                        "lat",
                        f"{lat}, {lon}",
                        _(
                            "The GPS point is %(km)s km from the file's other households of "
                            "%(area)s: check it. A point taken at the office, or a mistyped "
                            "digit, puts a house far away."
                        )
                        % {"km": round(km), "area": self.areas.describe(code)},
                    )

    def _wait(self) -> None:
        """Waits for the rows being written, and reports the likely duplicates found."""
        if self.pipeline is not None:
            self.pipeline.wait()
        likely, self.likely_pending = self.likely_pending, None
        for person, (first, last, area, household) in likely.found() if likely else ():
            same_name = (first, last) == (person.first_name, person.last_name)
            if same_name and household == person.household.existing:
                self.report.error(
                    person.number,
                    "citizen_id" if person.digits else "first_name",
                    person.digits or person.first_name,
                    _(
                        "%(name)s, with this birth date, is already registered in this "
                        "household under another citizen ID (or none). A file does not change "
                        "a citizen ID: if the one on record is wrong, correct it on their page "
                        "in Carenet; if this is someone else, check the name and birth date."
                    )
                    % {"name": f"{first} {last}".strip()},
                )
                continue
            if self.scope.allows(area):
                reason = _(
                    "Possibly the same person as %(name)s, already registered in %(area)s "
                    "with the same birth date and a similar name. Check before importing."
                ) % {"name": f"{first} {last}".strip(), "area": self.areas.describe(area)}
            elif not self.allowance.tell():
                continue
            else:  # who and where stay with that area's coordinators
                self.result.registered_elsewhere += 1
                reason = _(
                    "Possibly the same person as someone already registered outside the areas "
                    "where you may import data, with the same birth date and a similar name. "
                    "Check with the provincial office before importing."
                )
            self.report.warning(person.number, "first_name", person.first_name, reason)

    def _prepare(self, people: list[PersonRow]) -> _Batch:
        """The chunk's rows to write, and the households the file has moved past."""
        batch, self.batch = self.batch, _Batch()
        if self.first_load is None:
            batch.likely = stored.LikelyDuplicates(
                [p for p in people if p.match is None and p.birth_date is not None],
                below=self.people_below,
            )
        for household in [h for h in self.open.values() if h.chunk < self.chunk]:
            self._close(household, batch)
        return batch

    def _write(self, batch: _Batch) -> None:
        likely = batch.likely
        if self.pipeline is None or self.result.error_count:
            if likely is not None and not self.result.error_count:
                likely.run(None)
                self.likely_pending = likely
            return
        if batch.updates:
            self._update_people(batch.updates)
        people, consents, households, assignments = self.writers
        self.pipeline.write(
            [
                (people, batch.people),
                (consents, batch.consents),
                (households, batch.households),
                (assignments, batch.assignments),
            ],
            then=likely.run if likely is not None else None,
        )
        self.likely_pending = likely

    # -- looking up what is stored --------------------------------------------------------

    def _look_up(self, people: list[PersonRow]) -> None:
        if self.first_load is not None:
            self._load_volunteers(people)  # nobody else is stored, nor any household
            return
        found = stored.people_with_ids({p.hash for p in people if p.hash}, below=self.people_below)
        without_id = []
        for person in people:
            if person.hash:
                person.match = found.get(person.hash)
            else:
                without_id.append(person)
        self.namesakes = (
            stored.people_without_ids(without_id, below=self.people_below) if without_id else {}
        )
        self.same_document = stored.same_document_holders(people, below=self.people_below)
        self._by_address(people)
        self._load_volunteers(people)
        self._load_assignments(people)

    def _load_assignments(self, people: list[PersonRow]) -> None:
        """The volunteers of the stored households this chunk's people are in."""
        wanted = {p.match["household_id"] for p in people if p.match is not None}
        wanted |= {p.household.existing for p in people if p.household.existing is not None}
        wanted -= self.assignments.keys()
        if not wanted:
            return
        for pk in wanted:
            self.assignments[pk] = {}
        rows = HouseholdAssignment.objects.filter(**among("household_id", wanted, "bigint"))
        for household_id, volunteer_id, assigned_at, *names in rows.values_list(
            "household_id",
            "volunteer_id",
            "assigned_at",
            "volunteer__title",
            "volunteer__first_name",
            "volunteer__last_name",
        ):
            self.assignments[household_id][volunteer_id] = full_name(*names)
            latest = self.assigned_at.get(household_id)
            if latest is None or assigned_at > latest:
                self.assigned_at[household_id] = assigned_at

    def _by_address(self, people: list[PersonRow]) -> None:
        """A new household with a house no. joins the one stored household at that address,
        when none of its rows here is a stored person, and none names a head or it has none."""
        fresh: dict[tuple[str, str, str, str], FileHousehold] = {}
        matched = {id(p.household) for p in people if p.match is not None}
        for person in people:
            household = person.household
            if household.by_address or household.existing is not None or household.id:
                continue
            household.by_address = True  # asked once
            area, house_no = household.address[0], household.address[1]
            if house_no and id(household) not in matched:
                soi, road = household.address[3] or "", household.address[4] or ""
                fresh[(area, house_no, soi, road)] = household
        unknown = {area for area, _no, _soi, _road in fresh} - self.area_has_households.keys()
        found = stored.areas_with_households(unknown, below=self.households_below)
        self.area_has_households.update((area, area in found) for area in unknown)
        fresh = {key: h for key, h in fresh.items() if self.area_has_households[key[0]]}
        if not fresh:
            return
        places = {(area, house_no) for area, house_no, _soi, _road in fresh}
        at: dict[tuple[str, str, str, str], list[dict[str, Any]]] = {}
        at_place: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for row in stored.households_at(places, below=self.households_below):
            at.setdefault((row["area_id"], row["house_no"], row["soi"], row["road"]), []).append(
                row
            )
            at_place.setdefault((row["area_id"], row["house_no"]), []).append(row)
        for key, household in fresh.items():
            matches = at.get(key, [])
            if len(matches) != 1:
                # Not joined: said if the household turns out new (`_close`).
                if key[:2] in at_place:
                    self.same_place[id(household)] = at_place[key[:2]]
                continue
            if household.head_row and matches[0]["head_id"] is not None:
                self._beside_stored(household, matches[0])  # a head of its own: another family
            elif not self._becomes_stored(household, matches[0]):
                self._beside_stored(household, matches[0])  # the file has it already

    def _beside_stored(self, household: FileHousehold, row: dict[str, Any]) -> None:
        """Several households may share a house no.: said, so that the user can tell."""
        self.report.warning(
            household.head_row,
            "house_no",
            household.address[1],
            _(
                "A household is already registered at this address (%(address)s). These rows "
                "name a head of their own, so they were taken as another household at the same "
                "house no. If they belong to the registered household, leave out the head row "
                "or add the people in Carenet."
            )
            % {"address": self._address_text(row)},
        )

    def _which_of(self, household: FileHousehold, rows: list[dict[str, Any]]) -> None:
        """Rows without a head at an address where several households are registered: members
        of one of them, most likely, but nothing says which."""
        self.report.error(
            household.row,
            "house_no",
            household.address[1],
            _(
                "%(count)d households are registered at this address: %(households)s. These "
                "rows name no head of household, so they look like members of one of them, "
                "but Carenet cannot tell which. Add them on that household's page, or list "
                "them in the file with a registered member of it under one household ref (an "
                "export of the households gives its members; a ref only groups the rows of "
                "the file, it is not the household's no.). If they are another family, mark "
                "its head."
            )
            % {"count": len(rows), "households": self._households_text(rows)},
        )

    def _warn_of_no_head(self, household: FileHousehold) -> None:
        """A new family none of whose rows says หัวหน้าครัวเรือน: the first listed is recorded
        as its head, which a clerk should know (a spouse listed first becomes the head, beside
        another spouse, and no data check finds it later: the household has a head)."""
        self.report.warning(
            household.row,
            "relation",
            "",
            _(
                "No row of this household says who its head is (%(head)s), so the person on "
                "this row, the first listed, was recorded as the head. If another member is "
                "the head, write %(head)s in that member's relation cell."
            )
            % {"head": Relation.HEAD.label},
        )

    def _warn_of_same_place(
        self, household: FileHousehold, rows: list[dict[str, Any]], same_soi_and_road: bool
    ) -> None:
        """A new household at the house no. and village of stored ones it did not join
        (another soi or road, or several there): it may be one of them, registered again."""
        shown = self._households_text(rows)
        if same_soi_and_road:
            said = _(
                "Already registered at this address: %(households)s. These rows were taken "
                "as another household there. If they belong to one of those, add them on its "
                "page instead; if they are another family at the same house no., nothing "
                "needs changing."
            )
        else:
            said = _(
                "Already registered at this house no. and village: %(households)s. These rows "
                "were taken as a new household, because their soi or road is not the one "
                "recorded. If they are that household, write its soi and road as recorded; "
                "if they are another family at the same house no., nothing needs changing."
            )
        self.report.warning(
            household.head_row or household.row,
            "house_no",
            household.address[1],
            said % {"households": shown},
        )

    def _households_text(self, rows: list[dict[str, Any]]) -> str:
        return "; ".join(
            _("household no. %(no)s (%(address)s)")
            % {"no": row["id"], "address": self._place_text(row)}
            for row in rows[:3]
        )

    def _place_text(self, row: dict[str, Any]) -> str:
        """A stored household's address with its soi and road, which tell households apart."""
        parts = [row["house_no"] or "-"]
        for name in ("soi", "road"):
            said, text = label(COLUMNS, name), row[name]
            if text:
                parts.append(text if text.startswith(said) else f"{said} {text}")
        return " ".join([*parts, self.areas.describe(row["area_id"])])

    def _warn_of_namesakes(self, person: PersonRow) -> None:
        """A row without an ID or birth date named as a stored person of its subdistrict is
        registered anew (nothing to match it by): said, with whom it may be. A row with a
        birth date: only of a namesake at its own household or house no. (the date may be a
        guess, 01/01 of the year; a whole subdistrict has too many namesakes)."""
        rows = self.namesakes.get(person.number)
        if not rows:
            return
        if person.birth_date is not None:
            self._warn_of_housemate(person, rows)
            return
        named = _(
            "Possibly the same person as %(name)s, registered in household no. %(no)s "
            "(%(address)s): the same name in the same subdistrict. The row has neither a "
            "birth date nor a citizen ID, so it cannot be matched to them and is registered "
            "as a new person. If it is them, add their birth date (or citizen ID) to the row."
        )
        elsewhere = _(
            "Someone with the same name is already registered in this subdistrict, outside "
            "the areas where you may import data. The row has neither a birth date nor a "
            "citizen ID, so it is registered as a new person. Check with the provincial "
            "office before importing."
        )
        self._warn_of_stored(person, rows, ("first_name", person.first_name), named, elsewhere)

    def _warn_of_stored(
        self,
        person: PersonRow,
        rows: list[dict[str, Any]],
        cell: tuple[str, str],
        named: str,
        elsewhere: str,
    ) -> None:
        """A warning that the row may be a stored person: named (`named`, with their name,
        household and address) when the importer may see them, else only that someone is
        (`elsewhere`), as often as the disclosure allowance tells."""
        seen = [row for row in rows if self.scope.allows(row["area_id"])]
        if seen:
            reason = named % self._stored_named(seen[0])
        elif not self.allowance.tell():
            return
        else:  # who and where stay with that area's coordinators
            self.result.registered_elsewhere += 1
            reason = elsewhere
        self.report.warning(person.number, cell[0], cell[1], reason)

    def _stored_named(self, row: dict[str, Any]) -> dict[str, Any]:
        """Who a warning says a row may be: the stored person's name, household and address."""
        return {
            "name": f"{row['first_name']} {row['last_name']}".strip(),
            "no": row["household_id"],
            "address": self._place_text(stored.stored_household(row)),
        }

    def _warn_of_housemate(self, person: PersonRow, rows: list[dict[str, Any]]) -> None:
        """A dated row named as a stored person of the household it joins, or of its house
        no. and village, whose birth date is another: most likely them, the date mistyped."""
        household = person.household
        joined = household.existing
        place = (household.address[0], household.address[1])
        seen = [
            row
            for row in rows
            if self.scope.allows(row["area_id"])
            and (
                row["household_id"] == joined
                or (row["household__area_id"], row["household__house_no"]) == place
            )
        ]
        if not seen:
            return
        row = seen[0]
        reason = _(
            "Possibly the same person as %(name)s, registered in household no. %(no)s "
            "(%(address)s) with another birth date (%(born)s): the same name at the same "
            "address. The row is registered as a new person. If it is them, write the birth "
            "date as recorded (or their citizen ID)."
        ) % {
            **self._stored_named(row),
            "born": thaidate.format_numeric(row["birth_date"]) or _("none recorded"),
        }
        self.report.warning(person.number, "first_name", person.first_name, reason)

    def _warn_of_same_document(self, person: PersonRow) -> None:
        """Another stored person holds the row's pink card or passport no.: the one steady
        key of people without a citizen ID, so most likely the same person (as the form)."""
        rows = self.same_document.get(person.number)
        if not rows:
            return
        named = _(
            "Possibly the same person as %(name)s, registered in household no. %(no)s "
            "(%(address)s): the same document no. Check before importing: if it is them, "
            "write their citizen ID or their name and birth date as recorded; if the "
            "number is mistyped, correct it."
        )
        elsewhere = _(
            "Someone registered outside the areas where you may import data holds this "
            "document no. Check with the provincial office before importing."
        )
        self._warn_of_stored(person, rows, ("document_no", person.document_no), named, elsewhere)

    def _load_volunteers(self, people: list[PersonRow]) -> None:
        wanted = {
            hashed
            for p in people
            if p.household.volunteers
            for hashed in p.household.volunteers
            if hashed not in self.volunteers
        }
        if not wanted:
            return
        for hashed in wanted:
            self.volunteers[hashed] = None
        rows: Any = Volunteer.objects.filter(**among("citizen_id_hash", wanted)).values(
            "pk", "citizen_id_hash", "status", "area_id", "title", "first_name", "last_name"
        )
        for row in rows:
            self.volunteers[row["citizen_id_hash"]] = row
            self.volunteer_names[row["pk"]] = _name(row)

    def _becomes_stored(self, household: FileHousehold, row: dict[str, Any]) -> bool:
        """The file's household is this stored one, unless another of the file's is already
        (False): one household cannot be given two refs or two addresses."""
        if self.claimed.setdefault(row["id"], household) is not household:
            return False
        household.existing = row["id"]
        household.stored = row
        self.same_place.pop(id(household), None)
        household.touched = household.touched or bool(household.new_ids)
        self.stored[id(household)] = household
        self.open.pop(id(household), None)
        return True

    # -- deciding each person -------------------------------------------------------------

    def _decide(self, person: PersonRow) -> None:
        if not self._unique_in_file(person):
            return
        self._warn_of_same_document(person)
        household = person.household
        household.chunk = self.chunk
        if person.match is not None:
            self._stored_person(person)
        else:
            self._new_person(person)
        if household.volunteers:  # once the household is known to be stored, or new
            self._check_volunteers(household)

    def _unique_in_file(self, person: PersonRow) -> bool:
        if person.digits:
            first = self.ids_seen.setdefault(int(person.digits), person.number)
            if first != person.number:
                self.report.error(
                    person.number,
                    "citizen_id",
                    person.digits,
                    _("The same citizen ID is also in row %(row)d. A person has one row.")
                    % {"row": first},
                )
                return False
        else:
            exact = (
                person.first_name,
                person.last_name,
                person.birth_date,
                (person.household.area or "")[:6],
            )
            first = self.names_seen.setdefault(exact, person.number)
            if first != person.number:
                self.report.error(
                    person.number,
                    "first_name",
                    person.first_name,
                    _(
                        "The same person (name, birth date and subdistrict, no citizen ID) is "
                        "also in row %(row)d. A person has one row."
                    )
                    % {"row": first},
                )
                return False
        if person.birth_date is not None:
            # Only the hash is kept (a million rows): a rare clash costs a needless warning.
            alike = hash((person.name_key, person.birth_date))
            # A row with a citizen ID is kept as its negative number: two rows with two
            # different valid IDs are two people (twins, namesakes), not a likely duplicate.
            mark = -person.number if person.digits else person.number
            seen = self.alike_seen.setdefault(alike, mark)
            if seen != mark and not (seen < 0 and person.digits):
                self.report.warning(
                    person.number,
                    "first_name",
                    person.first_name,
                    _(
                        "Possibly the same person as in row %(row)d: a similar name and the "
                        "same birth date."
                    )
                    % {"row": abs(seen)},
                )
        return True

    def _check_volunteers(self, household: FileHousehold) -> None:
        """Checks the volunteers the rows so far assign the household to."""
        checked, household.volunteers = household.volunteers or {}, None
        subdistrict = (household.area or "")[:6]
        kept = self.assignments.get(household.existing or 0, {})
        for hashed, (row, text) in checked.items():
            volunteer = self.volunteers.get(hashed)
            reason = None
            if volunteer is not None and volunteer["pk"] in kept:
                self._warn_if_kept_unfit(household, volunteer, row, text)
            elif volunteer is None:
                reason = _("No volunteer with this citizen ID is registered in Carenet.")
            elif not self.scope.allows(volunteer["area_id"]):
                reason = _(
                    "The volunteer with this citizen ID serves outside the areas where you may "
                    "import data, not this household's subdistrict."
                )
            elif volunteer["status"] != VolunteerStatus.ACTIVE:
                reason = _("%(name)s is not an active volunteer.") % {"name": _name(volunteer)}
            elif volunteer["area_id"] != subdistrict:
                reason = _("%(name)s serves %(area)s, not this household's subdistrict.") % {
                    "name": _name(volunteer),
                    "area": self.areas.describe(volunteer["area_id"]),
                }
            if reason:
                self.report.error(row, "volunteer_citizen_id", text, reason)
            elif volunteer is not None and volunteer["pk"] not in household.assigned:
                household.assigned += (volunteer["pk"],)
                if household.written:
                    self.reopened[id(household)] = household

    def _warn_if_kept_unfit(
        self, household: FileHousehold, volunteer: dict[str, Any], row: int, text: str
    ) -> None:
        """A volunteer the household already has, who has left or moved since (an export
        lists them): kept, so that the file imports, but said."""
        if volunteer["status"] != VolunteerStatus.ACTIVE:
            reason = _("%(name)s is not an active volunteer.") % {"name": _name(volunteer)}
        elif volunteer["area_id"] != (household.area or "")[:6]:
            reason = _("%(name)s serves %(area)s, not this household's subdistrict.") % {
                "name": _name(volunteer),
                "area": self.areas.describe(volunteer["area_id"]),
            }
        else:
            return
        self.report.warning(
            row,
            "volunteer_citizen_id",
            text,
            reason
            + " "
            + _(
                "They already look after this household, so they stay; hand it over to "
                "another volunteer in Carenet."
            ),
        )

    def _stored_person(self, person: PersonRow) -> None:
        match = person.match
        assert match is not None
        household = person.household
        people: Counts = self.result.people
        problem = None
        first = self.matched_rows.setdefault(match["pk"], person.number)
        if first != person.number:
            problem = _(
                "This row and row %(row)d are the same registered person (one by citizen ID, "
                "the other by name, birth date and subdistrict). A person has one row."
            ) % {"row": first}
        elif match["status"] == PersonStatus.MERGED:
            problem = _(
                "This person's record was merged into another record; the file cannot "
                "change it. Search for the person in Carenet."
            )
        elif not self.scope.allows(match["area_id"]):
            # Where, nobody outside that area may learn from an ID (the pages show nothing).
            if self.allowance.tell():
                self.result.registered_elsewhere += 1
                problem = _(
                    "This person is already registered outside the areas where you may import "
                    "data. Contact the provincial office."
                )
            else:
                problem = disclosure.used_up_reason()
        elif self.on_existing == "error":
            problem = _(
                "This person is already registered in %(area)s. The import was asked to "
                "treat people already registered as errors."
            ) % {"area": self.areas.describe(match["area_id"])}
        elif household.existing is None and not household.written:
            if not self._becomes_stored(household, stored.stored_household(match)):
                problem = _(
                    "This person is registered in household no. %(no)s (%(address)s), which "
                    "row %(row)d of this file gives under another household ref. A household "
                    "ref does not move anyone: to move the person to another household, move "
                    "them in Carenet first (on their page)."
                ) % {
                    "no": match["household_id"],
                    "address": self._address_text(stored.stored_household(match)),
                    "row": self.claimed[match["household_id"]].row,
                }
        elif household.existing != match["household_id"]:
            problem = _(
                "This person is registered in another household (%(address)s) than the "
                "people above with the same household ref (row %(row)d). A household ref "
                "does not move anyone: to move the person, move them in Carenet first (on "
                "their page)."
            ) % {
                "address": self._address_text(stored.stored_household(match)),
                "row": household.row,
            }
        if problem:
            key = "citizen_id" if person.digits else "first_name"
            value = person.digits or person.first_name
            self.report.error(person.number, key, value, problem)
            return
        self.listed.setdefault(match["household_id"], set()).add(match["pk"])
        if person.digits:
            self.found_by_id.add(match["household_id"])
        if person.relation == Relation.HEAD:
            household.head_id, household.head_given = match["pk"], True
        if self.on_existing == "skip":
            people.skipped += 1
            return
        changes = self._changes(person, match)
        if match["status"] in (PersonStatus.DECEASED, PersonStatus.MOVED):
            self._warn_of_former_member(person, match, bool(changes))
            if match["status"] == PersonStatus.DECEASED:
                people.skipped += 1
                return
        if changes and match["restricted"]:
            people.skipped += 1
            self.report.warning(
                person.number,
                "citizen_id" if person.digits else "first_name",
                person.digits or person.first_name,
                _(
                    "This person withdrew their consent: Carenet keeps the record but records "
                    "nothing new about them, so this row was not applied. If the person has "
                    "consented again, record the new consent in Carenet first."
                ),
            )
            return
        if changes and self.report.undoes_later_edit(
            person.number, person.as_of, match["updated_at"], "person"
        ):
            self._list_changes(person.number, match, changes)
            return
        if changes:
            self._warn_of_removals(person, match, changes)
            self._list_changes(person.number, match, changes)
            if person.digits and ("first_name" in changes or "last_name" in changes):
                recorded = f"{match['first_name']} {match['last_name']}".strip()
                column = "first_name" if "first_name" in changes else "last_name"
                in_file = f"{person.first_name} {person.last_name}".strip()  # the whole name
                self.report.warning(person.number, column, in_file, renamed_reason(recorded))
            self.batch.updates.append((match["pk"], {**changes, "version": match["version"] + 1}))
            self._audit_change("households.person", match["pk"], match["area_id"], changes)
            household.touched = True
            people.updated += 1
        else:
            people.unchanged += 1

    def _audit_change(self, kind: str, pk: int, area: str, changes: dict[str, Any]) -> None:
        self.audits.append(
            import_audit(self.user_id, kind, pk, area, changes, self.result.file_name)
        )

    def _warn_of_former_member(
        self, person: PersonRow, match: dict[str, Any], changed: bool
    ) -> None:
        """A row of someone Carenet records as deceased or moved away: the office's sheet is
        behind. A deceased person's record is not changed."""
        if match["status"] == PersonStatus.DECEASED:
            reason = _("Carenet records this person as deceased.")
            if changed:
                reason += " " + _("The row's values were not applied.")
        else:
            reason = _("Carenet records this person as moved away from this household.")
        reason += " " + _(
            "Update your register; a status is changed on the person's page, not by a file."
        )
        key = "citizen_id" if person.digits else "first_name"
        self.report.warning(person.number, key, person.digits or person.first_name, reason)

    def _list_changes(self, row: int, match: dict[str, Any], changes: dict[str, Any]) -> None:
        """Each value the row changes on the stored person, for the result to list."""
        whose = full_name(match["title"], match["first_name"], match["last_name"])
        for name in CHANGED_SHOWN:
            if name in changes:
                before, after, labels = match[name], changes[name], _LABELS[name]
                before, after = labels.get(before, before), labels.get(after, after)
                if name == "phone":  # as the pages show it
                    before, after = phone_shown(before or ""), phone_shown(after or "")
                self.report.change(row, name, before, after, name=whose)
        for key, codes, words in (
            ("vulnerable_groups", RECORDED_FLAGS, GROUPS),
            ("welfare", WELFARE_CODES, WELFARE),
        ):
            if any(code in changes for code in codes):
                before = [words.word(code) for code in codes if match[code]]
                after = [words.word(code) for code in codes if changes.get(code, match[code])]
                removed = [words.word(code) for code in _removed(codes, match, changes)]
                self.report.change(row, key, before, after, removed, name=whose)

    def _warn_of_removals(
        self, person: PersonRow, match: dict[str, Any], changes: dict[str, Any]
    ) -> None:
        """A groups or welfare cell is the whole list: what it leaves out of what is
        recorded is taken off the person (a headman listing only the group of the day would
        take off a bedridden person's record). Said for each row, with what goes and how to
        keep it (a blank cell of any other column keeps what is stored)."""
        values = person.values()
        for key, codes, words in (
            ("vulnerable_groups", RECORDED_FLAGS, GROUPS),
            ("welfare", WELFARE_CODES, WELFARE),
        ):
            removed = ", ".join(words.word(code) for code in _removed(codes, match, changes))
            if not removed:
                continue
            listed = ", ".join(words.word(code) for code in codes if values[code])
            if not listed:
                reason = _(
                    "The cell lists none of what is recorded for this person, so the "
                    "import clears it: %(cleared)s. If it still holds, write it in the cell."
                ) % {"cleared": removed}
            else:
                reason = _(
                    "The cell replaces the whole list, and leaves out what is recorded for "
                    "this person, so the import removes it: %(removed)s. If it still holds, "
                    "write it in the cell too, with the others."
                ) % {"removed": removed}
            # A blank or "-" cell (the file reader takes both for blank) is quoted as "-".
            self.report.warning(person.number, key, listed or "-", reason)

    def _changes(self, person: PersonRow, match: dict[str, Any]) -> dict[str, Any]:
        values = person.values()
        given = self.reader.given(person)
        changes = {name: values[name] for name in given if match[name] != values[name]}
        if match["first_name"] != person.first_name:
            changes["first_name"] = person.first_name
        if "first_name" in changes or "last_name" in changes:
            last = changes.get("last_name", match["last_name"])
            key = name_key(person.first_name, last)
            if key != match["name_key"]:
                changes["name_key"] = key
        return changes

    def _new_person(self, person: PersonRow) -> None:
        if person.digits and self.allowance.used_up:  # as the forms refuse it (disclosure)
            digits = citizen_id.formatted(person.digits)
            self.report.error(person.number, "citizen_id", digits, disclosure.used_up_reason())
            return
        if person.consent_date and person.birth_date and person.consent_date < person.birth_date:
            # Only a consent the import records: a stored person's is not read from the file.
            self.report.error(
                person.number,
                "consent_date",
                thaidate.format_numeric(person.consent_date),
                _("The consent cannot come before the person was born. Check the date."),
            )
            return
        self._warn_of_namesakes(person)
        household = person.household
        if household.existing is not None:
            household_id = household.existing
            household.touched = True
        else:
            if household.id is None:
                household.id = self.take_household_id()
                self.open[id(household)] = household
            elif household.written:
                self.reopened[id(household)] = household
            household_id = household.id
        area = self._area_of_new(household)
        pk = self.take_person_id()
        if household.existing is None and household.new_ids is not None:
            household.new_ids.append(pk)  # moved if the household turns out to be stored
        if person.relation:
            self.related.add(id(household))
        if person.relation == Relation.HEAD:
            household.head_id, household.head_given = pk, True
        elif household.head_id is None and not household.head_row:
            household.head_id = pk  # no row says who the head is: the first one listed
        if household.members is not None:  # None once written: the priority is worked out again
            household.members.append(stored.signature(person))
        self.result.people.created += 1
        if self.pipeline is None or self.result.error_count:
            return  # nothing will be written: skip the work of preparing the rows
        self.batch.people.append(
            tables.person_row(person, pk, household_id, area, self.user_id, self.now)
        )
        self.batch.consents.append(
            tables.consent_row(person, pk, area, self.user_id, self.now, self.today)
        )

    def _area_of_new(self, household: FileHousehold) -> str:
        """New members live where their household will be after the import."""
        stored_row = household.stored
        if stored_row is None or (self.on_existing == "update" and household.area):
            return str(household.area)
        return str(stored_row["area_id"])

    def _update_people(self, updates: list[tuple[int, dict[str, Any]]]) -> None:
        """Stored people the file changes, grouped by the fields that change."""
        by_fields: dict[tuple[str, ...], list[Person]] = {}
        for pk, changes in updates:
            person = Person(pk=pk, updated_at=self.now, **changes)
            by_fields.setdefault(tuple(sorted(changes)), []).append(person)
        for fields, people in by_fields.items():
            Person.objects.bulk_update(people, [*fields, "updated_at"], batch_size=500)

    # -- writing households -----------------------------------------------------------------

    def _close(self, household: FileHousehold, batch: _Batch) -> None:
        """Writes a new household the file has moved past, and lets go of its members."""
        del self.open[id(household)]
        household.written = True
        self.result.households.created += 1
        same_place = self.same_place.pop(id(household), None)
        if same_place:
            # Decided now that every row of the household was read: its head may come last.
            recorded = household.address[3] or "", household.address[4] or ""
            exact = [r for r in same_place if (r["soi"] or "", r["road"] or "") == recorded]
            if len(exact) > 1 and not household.head_row:
                self._which_of(household, exact)
            else:
                self._warn_of_same_place(household, same_place, len(exact) == len(same_place))
        related = id(household) in self.related
        self.related.discard(id(household))
        if related and not household.head_row and len(household.members or ()) > 1:
            self._warn_of_no_head(household)
        if self.pipeline is not None and not self.result.error_count:
            batch.households.append(tables.household_row(household, self.user_id, self.now))
            batch.assignments += [
                (household.id, volunteer, self.user_id, self.now)
                for volunteer in sorted(household.assigned)
            ]
        household.members = household.new_ids = None

    def _finish(self) -> None:
        """The households still open, the stored ones, volunteers, priorities, the audit."""
        batch = _Batch()
        for household in list(self.open.values()):
            self._close(household, batch)
        self._check_refs()
        changed = self._stored_households(list(self.stored.values()))
        counts = self.result.households
        counts.updated = len(changed)
        counts.unchanged = len(self.stored) - counts.updated
        if self.on_existing == "skip":
            counts.skipped, counts.unchanged = counts.unchanged, 0
        if self.pipeline is None:
            return
        self._write(batch)
        self._wait()
        if self.first_load is not None:
            self.first_load.finish()
        later = [*self.stored.values(), *self.reopened.values()]
        self._assign_volunteers(later)
        recompute = changed | {h.id for h in self.reopened.values() if h.id is not None}
        households_recompute(household_ids=sorted(recompute), today=self.today)
        AuditEvent.objects.bulk_create(self.audits, batch_size=2000)
        self._heads_given_later(self.reopened.values())
        audit_record_each(
            areas=audit_areas(h.area for h in self.reader.households.values()),
            actor=self.actor,
            action=AUDIT_ACTION,
            details={
                "file": self.result.file_name,
                "rows": self.result.total_rows,
                "on_existing": self.on_existing,
                "households": counts.as_dict(),
                "people": self.result.people.as_dict(),
            },
        )

    def _check_refs(self) -> None:
        """In a file exported from Carenet, rows under a household's number that turn out to
        be another household are an error: an address changed beside a new member made a new
        household, or a person was typed under another household's number. The ref alone
        never moves anyone, so the clerk is told rather than the rows quietly regrouped."""
        if not self.refs_are_numbers:
            return
        numbered = {
            int(h.key): h
            for h in self.reader.households.values()
            if isinstance(h.key, str) and h.key.isdigit() and len(h.key) < 12
        }
        numbers = sorted(numbered)
        for start in range(0, len(numbers), 5000):
            found = Household.objects.filter(pk__in=numbers[start : start + 5000])
            for values in found.values("pk", "area_id", "house_no").iterator():
                stored_row: dict[str, Any] = dict(values)
                household = numbered[stored_row["pk"]]
                became = household.existing
                if became == stored_row["pk"] or not self.scope.allows(stored_row["area_id"]):
                    continue
                self.report.error(
                    household.row,
                    "household_ref",
                    str(household.key),
                    _ref_reason(stored_row["pk"], self._address_text(stored_row), became),
                )

    def _stored_households(self, households: list[FileHousehold]) -> set[int]:
        """Brings stored households in line with the file; returns the ids of those changed.

        New members written before their household was known to be stored move into it.
        In "update" mode the address and head follow the file; a new village (within the
        subdistrict: a move further is an error) moves every member and their consents.
        """
        changed: set[int] = set()
        heads_left_out = self._heads_left_out(households)
        for household in households:
            assert household.existing is not None and household.stored is not None
            pk, stored_row = household.existing, household.stored
            if pk in heads_left_out:
                self.report.error(
                    household.head_row or household.row,
                    "relation",
                    RELATIONS.word(Relation.HEAD),
                    _(
                        "These rows are of household no. %(no)s (%(address)s), through the "
                        "people registered in it, and name a new head; its head is not in the "
                        "file. A person who moved out: move them in Carenet. A new head: list "
                        "the present head too, with their new relation."
                    )
                    % {"no": pk, "address": self._address_text(stored_row)},
                )
                continue
            updates: dict[str, Any] = {}
            if self.on_existing == "update":
                for index, name in enumerate(ADDRESS_FIELDS):
                    value = household.address[index]
                    column = stored.STORED_ADDRESS[name]
                    known = stored_row[column]
                    if name in ("lat", "lon") and known is not None:
                        known = f"{known:f}"  # coordinates are kept as text, see rows.py
                    if value is not None and value != known:
                        updates[column] = value
                if household.head_given and household.head_id != stored_row["head_id"]:
                    updates["head_id"] = household.head_id
            if (updates or self._replaces_volunteers(household)) and self.report.undoes_later_edit(
                household.row, household.as_of, self._last_changed(pk, stored_row), "household"
            ):
                continue
            moved = updates.get("area_id", stored_row["area_id"])
            refused = household_move_refused(stored_row["area_id"], moved)
            if refused:  # as on the household's page
                self.report.error(household.row, "subdistrict", self.areas.describe(moved), refused)
                continue
            self._warn_if_others_move(household, updates)
            self._list_household_changes(household, updates)
            unassigned = self._volunteers_replaced(household)
            if updates or household.touched or unassigned:
                changed.add(pk)
            if self.pipeline is None:
                continue
            if household.id is not None and household.new_ids:
                # Written before the household was known to be this stored one.
                area = updates.get("area_id", stored_row["area_id"])
                Person.objects.filter(pk__in=household.new_ids).update(
                    household_id=pk, area_id=area
                )
                Consent.objects.filter(person_id__in=household.new_ids).update(area_id=area)
            if unassigned:
                HouseholdAssignment.objects.filter(
                    household_id=pk, volunteer_id__in=unassigned
                ).delete()
            if updates:
                Household.objects.filter(pk=pk).update(
                    **updates, version=F("version") + 1, updated_at=self.now
                )
                area = updates.get("area_id", stored_row["area_id"])
                self._audit_change("households.household", pk, area, updates)
            if "area_id" in updates:
                area = updates["area_id"]
                Person.objects.filter(household_id=pk).update(area_id=area)
                Consent.objects.filter(person__household_id=pk).update(area_id=area)
        return changed

    def _replaces_volunteers(self, household: FileHousehold) -> bool:
        assert household.existing is not None
        named = set(household.assigned)
        before = self.assignments.get(household.existing, {})
        return bool(named) and self.on_existing == "update" and named != before.keys()

    def _last_changed(self, pk: int, stored_row: dict[str, Any]) -> datetime:
        """When the household's address or head, or its volunteers, last changed."""
        assigned = self.assigned_at.get(pk)
        changed: datetime = stored_row["updated_at"]
        return max(changed, assigned) if assigned is not None else changed

    def _volunteers_replaced(self, household: FileHousehold) -> set[int]:
        """The volunteers the file's list takes off a stored household (its rows name
        others); the change is listed either way."""
        if not self._replaces_volunteers(household):
            return set()
        assert household.existing is not None
        named = set(household.assigned)
        before = self.assignments.get(household.existing, {})
        self.report.change(
            household.row,
            "volunteer_citizen_id",
            ", ".join(sorted(before.values())),
            ", ".join(sorted(self.volunteer_names.get(pk, str(pk)) for pk in named)),
        )
        return before.keys() - named

    def _list_household_changes(self, household: FileHousehold, updates: dict[str, Any]) -> None:
        """Each address value the file changes on a stored household, for the result."""
        assert household.stored is not None
        for name in ADDRESS_FIELDS:
            column = stored.STORED_ADDRESS[name]
            if column in updates:
                before, after = household.stored[column], updates[column]
                self.report.change(
                    household.row,
                    ADDRESS_COLUMN[name],
                    shown_address(name, before, self.areas) if before is not None else "",
                    shown_address(name, after, self.areas),
                )

    def _heads_left_out(self, households: list[FileHousehold]) -> set[int]:
        """Stored households the file gives a new head while their present head, still living
        there, is not in the file: the household would have two heads (one query)."""
        if self.on_existing != "update":
            return set()
        suspects = {
            h.existing: h.stored["head_id"]
            for h in households
            if h.head_given
            and h.stored is not None
            and h.stored["head_id"] not in (None, h.head_id)
            and h.stored["head_id"] not in self.listed.get(h.existing or 0, ())
        }
        if not suspects:
            return set()
        present = set(
            Person.objects.filter(
                **among("pk", suspects.values(), "bigint"), status=PersonStatus.ACTIVE
            ).values_list("pk", flat=True)
        )
        return {pk for pk, head in suspects.items() if head in present and pk is not None}

    def _warn_if_others_move(self, household: FileHousehold, updates: dict[str, Any]) -> None:
        """A new house no., หมู่ or subdistrict moves the whole stored household: said when
        some of its members are not in the file, who may not have moved."""
        if not {"area_id", "house_no", "moo"} & updates.keys():
            return
        assert household.existing is not None and household.stored is not None
        others = household.stored["member_count"] - len(self.listed.get(household.existing, ()))
        if others > 0:
            by_name = (
                " "
                + _(
                    "It was found by its members' names, birth dates and subdistrict, since the "
                    "file gives none of their citizen IDs: check that it is the same family."
                )
                if household.existing not in self.found_by_id
                else ""
            )
            self.report.warning(
                household.row,
                "house_no",
                household.address[1] or "",
                ngettext(
                    "This moves household no. %(no)s (%(address)s) to the address of these "
                    "rows, with its %(others)d member not in the file. If only the people "
                    "listed moved, move them in Carenet instead.",
                    "This moves household no. %(no)s (%(address)s) to the address of these "
                    "rows, with its %(others)d members not in the file. If only the people "
                    "listed moved, move them in Carenet instead.",
                    others,
                )
                % {
                    "no": household.existing,
                    "address": self._address_text(household.stored),
                    "others": others,
                }
                + by_name,
            )

    def _heads_given_later(self, households: Iterable[FileHousehold]) -> None:
        """A written household whose head row came further down the file."""
        for household in households:
            if household.head_given and household.id is not None:
                Household.objects.filter(pk=household.id).exclude(head_id=household.head_id).update(
                    head_id=household.head_id
                )

    def _assign_volunteers(self, households: Iterable[FileHousehold]) -> None:
        """Assignments of households written before (or stored) that the file adds."""
        wanted: set[tuple[int, int]] = set()
        for household in households:
            pk = household.existing or household.id
            if pk is not None:
                wanted |= {(pk, volunteer) for volunteer in household.assigned}
        if not wanted:
            return
        wanted -= set(
            HouseholdAssignment.objects.filter(
                **among("household_id", {pk for pk, _v in wanted}, "bigint")
            ).values_list("household_id", "volunteer_id")
        )
        rows = [(h, v, self.user_id, self.now) for h, v in sorted(wanted)]
        assert self.pipeline is not None
        self.pipeline.write([(self.writers[3], rows)])
        self.pipeline.wait()

    def _address_text(self, stored_row: dict[str, Any]) -> str:
        return f"{stored_row['house_no'] or '-'} {self.areas.describe(stored_row['area_id'])}"


# --- helpers ---------------------------------------------------------------------------------


def _name(volunteer: dict[str, Any]) -> str:
    return full_name(volunteer["title"], volunteer["first_name"], volunteer["last_name"])


def _removed(codes: Iterable[str], match: dict[str, Any], changes: dict[str, Any]) -> list[str]:
    """The codes of a list (groups, welfare) recorded for the person that the row takes off."""
    return [code for code in codes if match[code] and changes.get(code) is False]


def _point_kept(household: FileHousehold) -> bool:
    """A stored household whose GPS point the file repeats as it is recorded."""
    stored_row = household.stored
    if stored_row is None or stored_row["latitude"] is None or stored_row["longitude"] is None:
        return False
    recorded = (f"{stored_row['latitude']:f}", f"{stored_row['longitude']:f}")
    return recorded == (household.address[5], household.address[6])


def _file_errors(result: ImportResult, errors: list[RowError]) -> None:
    result.errors.extend(errors)
    result.error_count += len(errors)


def _no_area_column(header_row: int) -> RowError:
    return RowError(
        header_row,
        "",
        "",
        _(
            "The file needs a “%(code)s” column, or a “%(name)s” column (with “%(district)s” "
            "and “%(province)s” when the name is not unique)."
        )
        % {
            "code": label(COLUMNS, "subdistrict_code"),
            "name": label(COLUMNS, "subdistrict"),
            "district": label(COLUMNS, "district"),
            "province": label(COLUMNS, "province"),
        },
    )


def _ref_reason(number: int, address: str, became: int | None) -> str:
    which = (
        _("a new household, at the address they give")
        if became is None
        else _("household no. %(no)s, through the people registered in it") % {"no": became}
    )
    return _(
        "In a file exported from Carenet, household ref %(no)s is household no. %(no)s "
        "(%(address)s), but these rows are %(which)s. A ref does not move anyone: to change "
        "the household's address, change it on every row of its members; to move a person, "
        "move them in Carenet; to add a new household, give it a ref no household has."
    ) % {"no": number, "address": address, "which": which}


def _concurrent_change() -> RowError:
    return RowError(
        None,
        "",
        "",
        _(
            "Someone else registered some of these people while the file was being imported. "
            "Nothing was imported: import the file again."
        ),
    )
