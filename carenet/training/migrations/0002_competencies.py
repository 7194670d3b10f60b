"""The competencies events grant and case categories may require. Data: a province adds more in
the admin, not in code."""

from django.db import migrations

# code, Thai, English, years valid (None: for good)
COMPETENCIES = [
    ("child_protection", "การคุ้มครองเด็ก", "Child protection", 3),
    ("violence_response", "การช่วยเหลือผู้ถูกกระทำความรุนแรงในครอบครัว",
     "Helping victims of domestic violence", 3),
    ("trafficking", "การป้องกันและแก้ไขปัญหาการค้ามนุษย์", "Preventing human trafficking", 3),
    ("elderly_care", "การดูแลผู้สูงอายุ", "Elderly care", None),
    ("disability_care", "การดูแลคนพิการ", "Disability care", None),
    ("disaster_response", "การช่วยเหลือผู้ประสบภัยพิบัติ", "Disaster response", 2),
    ("case_management", "การจัดการรายกรณี", "Case management", None),
    ("home_visit", "การเยี่ยมบ้านและประเมินคุณภาพชีวิต", "Home visits and quality-of-life assessment",
     None),
    ("pdpa", "การคุ้มครองข้อมูลส่วนบุคคล", "Personal data protection", 2),
]


def load(apps, schema_editor):
    Competency = apps.get_model("training", "Competency")
    for order, (code, name_th, name_en, years) in enumerate(COMPETENCIES):
        Competency.objects.update_or_create(
            code=code,
            defaults={"name_th": name_th, "name_en": name_en, "valid_years": years,
                      "order": order},
        )


class Migration(migrations.Migration):
    dependencies = [("training", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
