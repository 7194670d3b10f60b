"""Case categories and the kinds of welfare assistance, with the caps the ministry's rules use.

Kept as data: a province changes a cap or adds a category in the admin, not in code. The caps
follow the ministry's usual rules (e.g. low-income family aid up to 3,000 baht a time and three
times a fiscal year; home repair up to 40,000 baht); a province with other rules edits them.
"""

from decimal import Decimal

from django.db import migrations

# code, Thai, English, urgency, sensitive
CATEGORIES = [
    ("poverty", "ความยากจน รายได้ไม่เพียงพอ", "Poverty, not enough income", "normal", False),
    ("housing", "ที่อยู่อาศัยไม่มั่นคง", "Unsafe or no housing", "normal", False),
    ("care_needed", "ผู้ป่วยติดเตียงหรือผู้สูงอายุไม่มีผู้ดูแล",
     "Bedridden or elderly person without a carer", "urgent", False),
    ("disability", "คนพิการต้องการความช่วยเหลือ", "Person with disability needs help", "normal",
     False),
    ("child_welfare", "เด็กขาดผู้ดูแลหรือถูกทอดทิ้ง", "Child without care or abandoned", "urgent",
     False),
    ("education", "การศึกษา", "Education", "normal", False),
    ("homeless", "คนไร้ที่พึ่งหรือไร้บ้าน", "Destitute or homeless", "urgent", False),
    ("disaster", "ผู้ประสบภัย", "Disaster-affected", "urgent", False),
    ("domestic_violence", "ความรุนแรงในครอบครัว", "Domestic violence", "urgent", True),
    ("child_abuse", "เด็กถูกทารุณกรรมหรือล่วงละเมิด", "Child abuse", "urgent", True),
    ("trafficking", "การค้ามนุษย์", "Human trafficking", "urgent", True),
    ("other", "อื่น ๆ", "Other", "normal", False),
]

# code, Thai, English, kind, cap per case, cap per person per fiscal year
ASSISTANCE_TYPES = [
    ("emergency_cash", "เงินสงเคราะห์ผู้ประสบปัญหาทางสังคมกรณีฉุกเฉิน",
     "Emergency cash aid", "cash", "3000", "9000"),
    ("low_income_family", "เงินอุดหนุนครอบครัวผู้มีรายได้น้อยและผู้ไร้ที่พึ่ง",
     "Low-income family aid", "cash", "3000", "9000"),
    ("elderly_home_repair", "ปรับปรุงที่อยู่อาศัยผู้สูงอายุ", "Elderly home repair", "repair",
     "40000", "40000"),
    ("disability_home_repair", "ปรับปรุงที่อยู่อาศัยคนพิการ", "Disability home repair", "repair",
     "40000", "40000"),
    ("goods", "ถุงยังชีพ เครื่องอุปโภคบริโภค", "Survival kit and goods", "goods", None, None),
    ("devices", "กายอุปกรณ์ เครื่องช่วยความพิการ", "Assistive devices", "goods", None, None),
    ("elderly_allowance", "ขึ้นทะเบียนเบี้ยยังชีพผู้สูงอายุ", "Registration for the elderly allowance",
     "registration", None, None),
    ("disability_allowance", "ขึ้นทะเบียนเบี้ยความพิการ",
     "Registration for the disability allowance", "registration", None, None),
    ("newborn_grant", "ขึ้นทะเบียนเงินอุดหนุนเพื่อการเลี้ยงดูเด็กแรกเกิด",
     "Registration for the newborn grant", "registration", None, None),
    ("welfare_card", "ลงทะเบียนบัตรสวัสดิการแห่งรัฐ", "Registration for the state welfare card",
     "registration", None, None),
]


def load(apps, schema_editor):
    CaseCategory = apps.get_model("cases", "CaseCategory")
    AssistanceType = apps.get_model("cases", "AssistanceType")
    for order, (code, name_th, name_en, urgency, sensitive) in enumerate(CATEGORIES):
        CaseCategory.objects.update_or_create(
            code=code,
            defaults={"name_th": name_th, "name_en": name_en, "urgency": urgency,
                      "sensitive": sensitive, "order": order},
        )
    for order, (code, name_th, name_en, kind, per_case, per_year) in enumerate(ASSISTANCE_TYPES):
        AssistanceType.objects.update_or_create(
            code=code,
            defaults={"name_th": name_th, "name_en": name_en, "kind": kind, "order": order,
                      "cap_per_case": Decimal(per_case) if per_case else None,
                      "cap_per_year": Decimal(per_year) if per_year else None},
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
