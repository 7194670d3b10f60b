"""The referral letter (หนังสือส่งต่อ): a PDF in the form of a Thai official letter to an outside
agency (หนังสือราชการภายนอก, ระเบียบสำนักนายกรัฐมนตรีว่าด้วยงานสารบรรณ).

The letter is a Thai document whatever the reader's language, so its wording is Thai in the
template and here, not gettext msgids. It comes from the province's social development office
(พมจ.): the directory's agency of kind "pmj" in the case's province when there is one (its name,
address and phone), else the office's standard name. Dates are BE in the long Thai form with
Arabic digits ("26 กุมภาพันธ์ 2568").
"""

from dataclasses import dataclass
from typing import Any

from django.utils import timezone, translation

from carenet.accounts.access import main_role
from carenet.accounts.models import Role
from carenet.areas.models import Area
from carenet.cases.models import Agency, AgencyKind, CaseSource, Referral
from carenet.core import thaidate
from carenet.core.pdf import render_pdf
from carenet.core.people import age_on, months_on

SOURCE_TH: dict[str, str] = {
    CaseSource.VOLUNTEER: "อาสาสมัครพัฒนาสังคมและความมั่นคงของมนุษย์ (อพม.) ในพื้นที่",
    CaseSource.HOTLINE: "ศูนย์ช่วยเหลือสังคม สายด่วน 1300",
    CaseSource.WALK_IN: "ผู้มาติดต่อขอรับความช่วยเหลือด้วยตนเอง",
    CaseSource.AGENCY: "หน่วยงานภาคีเครือข่าย",
    CaseSource.OTHER: "ผู้แจ้งเรื่อง",
}


@dataclass(frozen=True)
class Office:
    name: str
    address: str
    phone: str


def office_of(province: Area) -> Office:
    """The provincial social development office: from the directory, else its standard name."""
    found = (
        Agency.objects.filter(area_id=province.code, kind=AgencyKind.PMJ, active=True)
        .order_by("pk")
        .first()
    )
    if found is not None:
        return Office(found.name, found.address, found.phone)
    return Office(
        f"สำนักงานพัฒนาสังคมและความมั่นคงของมนุษย์จังหวัด{province.name_th}",
        f"ศาลากลางจังหวัด{province.name_th}",
        "",
    )


def address_of(household: Any, areas: dict[str, Area]) -> str:
    """บ้านเลขที่ 12 หมู่ที่ 1 ซอย... ถนน... ตำบล... อำเภอ... จังหวัด..."""
    parts = [f"บ้านเลขที่ {household.house_no}" if household.house_no else ""]
    village = areas.get(household.area_id) if len(household.area_id) == 8 else None
    moo = village.moo if village is not None else household.moo
    if moo:
        parts.append(f"หมู่ที่ {moo}")
    if household.soi:
        parts.append(household.soi if household.soi.startswith("ซ") else f"ซอย{household.soi}")
    if household.road:
        parts.append(household.road if household.road.startswith("ถ") else f"ถนน{household.road}")
    code = household.area_id
    bangkok = code.startswith("10")
    for length, word in ((6, "แขวง" if bangkok else "ตำบล"), (4, "เขต" if bangkok else "อำเภอ"),
                         (2, "" if bangkok else "จังหวัด")):  # fmt: skip
        area = areas.get(code[:length])
        if area is not None:
            parts.append(f"{word}{area.name_th}")
    return " ".join(p for p in parts if p)


def signer_position(user: Any, province: Area) -> str:
    role = main_role(user)
    if role == Role.PROVINCIAL_OFFICER:
        return f"เจ้าหน้าที่สำนักงานพัฒนาสังคมและความมั่นคงของมนุษย์จังหวัด{province.name_th}"
    if role == Role.CENTRE_COORDINATOR:
        return "ผู้ประสานงาน ศูนย์ประสานงานอาสาสมัครพัฒนาสังคมและความมั่นคงของมนุษย์"
    return "เจ้าหน้าที่กระทรวงการพัฒนาสังคมและความมั่นคงของมนุษย์"


def signed_for(user: Any, province: Area) -> str:
    """The line under an officer's position: the office's letters go out in its head's name,
    and an officer signs them on the head's behalf (ปฏิบัติราชการแทน)."""
    if main_role(user) != Role.PROVINCIAL_OFFICER:
        return ""
    return f"ปฏิบัติราชการแทนพัฒนาสังคมและความมั่นคงของมนุษย์จังหวัด{province.name_th}"


def letter_context(referral: Referral) -> dict[str, Any]:
    case = referral.case
    person, household, agency = case.person, case.household, referral.agency
    codes = {case.area_id[:n] for n in (2, 4, 6, 8) if n <= len(case.area_id)}
    codes.add(household.area_id)
    codes |= {household.area_id[:n] for n in (2, 4, 6)}
    areas = {a.code: a for a in Area.objects.filter(code__in=codes)}
    province = areas[case.area_id[:2]]
    office = office_of(province)
    sent_on = timezone.localdate(referral.sent_at)
    problems = [p.name_th for p in case.problems.all()]
    signer = referral.sent_by
    with translation.override("th"):
        return {
            "referral": referral,
            "case": case,
            "agency": agency,
            "office": office,
            "letter_no": referral.letter_no,
            "date_th": thaidate.format_long(sent_on),
            "answer_due_th": thaidate.format_long(referral.answer_due),
            "addressee": agency.head_title or agency.name,
            "person_name": person.full_name,
            "age": age_on(person.birth_date, sent_on),
            "months": months_on(person.birth_date, sent_on),  # a baby's age is said in months
            "address": address_of(household, areas),
            "problems": problems,
            "source_th": SOURCE_TH.get(case.source, SOURCE_TH[CaseSource.OTHER]),
            "attachments": case.documents.count(),
            "signer_name": signer.display_name,
            "signer_position": signer_position(signer, province),
            "signed_for": signed_for(signer, province),
            "signer_phone": getattr(signer, "phone", ""),
            "province": province,
        }


def referral_letter_pdf(referral: Referral) -> bytes:
    """The referral letter as PDF bytes."""
    with translation.override("th"):
        return render_pdf("cases/letters/referral.html", letter_context(referral))
