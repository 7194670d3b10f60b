"""The ministry's nine problem areas with their items, and the จปฐ. indicators TPMAP uses.

Kept as data: a new item or a new จปฐ. cycle is a new data migration (or rows added by an
administrator), never a code change.
"""

from django.db import migrations

PROBLEM_AREAS = [
    ("housing", "ที่อยู่อาศัย", "Housing", False, [
        ("no_home", "ไม่มีที่อยู่อาศัย", "No home"),
        ("dilapidated", "บ้านทรุดโทรม ไม่มั่นคงแข็งแรง", "Dilapidated house"),
        ("unsafe_home", "ที่อยู่อาศัยไม่ปลอดภัย", "Unsafe place to live"),
        ("no_land_right", "ไม่มีสิทธิในที่ดินที่อยู่อาศัย", "No right to the land lived on"),
    ]),
    ("health", "สุขภาพและอนามัย", "Health and hygiene", False, [
        ("chronic_no_care", "เจ็บป่วยเรื้อรังไม่ได้รับการรักษา", "Chronic illness without treatment"),
        ("bedridden_no_carer", "ติดเตียงไม่มีผู้ดูแล", "Bedridden with no carer"),
        ("malnutrition", "ขาดสารอาหาร", "Malnutrition"),
        ("mental_health", "ปัญหาสุขภาพจิต", "Mental health problem"),
        ("substance", "ติดสุรา ยาเสพติด", "Alcohol or drug dependence"),
        ("poor_hygiene", "สุขอนามัยไม่เหมาะสม", "Poor hygiene"),
    ]),
    ("education", "การศึกษา", "Education", False, [
        ("out_of_school", "เด็กไม่ได้เรียนหนังสือ", "Child out of school"),
        ("dropout_risk", "เสี่ยงออกจากการเรียนกลางคัน", "At risk of dropping out"),
        ("no_school_costs", "ขาดค่าใช้จ่ายในการเรียน", "Cannot afford school costs"),
        ("illiterate", "อ่านเขียนไม่ได้", "Cannot read or write"),
    ]),
    ("family", "ครอบครัว", "Family", False, [
        ("orphaned", "เด็กกำพร้า", "Orphaned child"),
        ("abandoned", "ถูกทอดทิ้ง", "Abandoned"),
        ("alone_no_carer", "อยู่ลำพังไม่มีผู้ดูแล", "Lives alone with no carer"),
        ("teen_pregnancy", "ตั้งครรภ์ในวัยรุ่น", "Teenage pregnancy"),
        ("family_debt", "ครอบครัวมีหนี้สิน", "Family debt"),
        ("family_conflict", "ความขัดแย้งในครอบครัว", "Family conflict"),
        ("skipped_generation", "ครอบครัวข้ามรุ่น", "Skipped-generation family"),
    ]),
    ("violence", "ความรุนแรง", "Violence", True, [
        ("domestic_violence", "ความรุนแรงในครอบครัว", "Domestic violence"),
        ("child_abuse", "เด็กถูกทารุณกรรม", "Child abuse"),
        ("sexual_abuse", "ถูกล่วงละเมิดทางเพศ", "Sexual abuse"),
        ("elder_abuse", "ผู้สูงอายุถูกทำร้ายหรือละเลย", "Elder abuse or neglect"),
    ]),
    ("trafficking", "การค้ามนุษย์", "Human trafficking", True, [
        ("forced_labour", "ถูกบังคับใช้แรงงาน", "Forced labour"),
        ("sexual_exploitation", "ถูกแสวงประโยชน์ทางเพศ", "Sexual exploitation"),
        ("child_labour", "แรงงานเด็ก", "Child labour"),
        ("forced_begging", "ถูกบังคับขอทาน", "Forced begging"),
    ]),
    ("work_income", "การมีงานทำและรายได้", "Work and income", False, [
        ("unemployed", "ว่างงาน", "Unemployed"),
        ("low_income", "รายได้ไม่พอใช้จ่าย", "Income below needs"),
        ("informal_debt", "หนี้นอกระบบ", "Informal debt"),
        ("no_farmland", "ไม่มีที่ดินทำกิน", "No land to farm"),
    ]),
    ("rights", "การเข้าถึงสิทธิ", "Access to rights", False, [
        ("no_id_card", "ไม่มีบัตรประชาชน หรือไร้สถานะ", "No ID card or stateless"),
        ("no_allowance", "ยังไม่ได้รับเบี้ยยังชีพที่มีสิทธิ", "Not receiving an allowance due"),
        ("no_welfare_card", "ยังไม่มีบัตรสวัสดิการแห่งรัฐ", "No state welfare card"),
        ("no_disability_card", "คนพิการยังไม่มีบัตรคนพิการ", "Disabled person without a disability card"),
        ("no_health_cover", "ไม่มีสิทธิรักษาพยาบาล", "No health cover"),
    ]),
    ("other", "อื่น ๆ", "Other", False, [
        ("other", "ปัญหาอื่น ๆ", "Other problem"),
    ]),
]

INDICATORS = [
    (1, "health", "เด็กแรกเกิดมีน้ำหนัก 2,500 กรัมขึ้นไป",
     "Newborns weigh 2,500 grams or more"),
    (4, "health", "เด็กแรกเกิดถึง 12 ปี ได้รับวัคซีนป้องกันโรคครบตามตารางสร้างเสริมภูมิคุ้มกันโรค",
     "Children up to 12 have all scheduled vaccinations"),
    (5, "health", "ครัวเรือนกินอาหารถูกสุขลักษณะ ปลอดภัย และได้มาตรฐาน",
     "The household eats hygienic, safe food"),
    (7, "health", "คนอายุ 6 ปีขึ้นไป ออกกำลังกายอย่างน้อยสัปดาห์ละ 3 วัน วันละ 30 นาที",
     "People aged 6 and over exercise 3 days a week, 30 minutes a day"),
    (8, "living", "ครัวเรือนมีความมั่นคงในที่อยู่อาศัย และบ้านมีสภาพคงทนถาวร",
     "The household has secure, durable housing"),
    (9, "living", "ครัวเรือนมีน้ำสะอาดสำหรับดื่มและบริโภคเพียงพอตลอดปี อย่างน้อยคนละ 5 ลิตรต่อวัน",
     "Enough clean drinking water all year, 5 litres a person a day"),
    (10, "living", "ครัวเรือนมีน้ำใช้เพียงพอตลอดปี อย่างน้อยคนละ 45 ลิตรต่อวัน",
     "Enough water for use all year, 45 litres a person a day"),
    (11, "living", "ครัวเรือนมีการจัดบ้านเรือนเป็นระเบียบเรียบร้อย สะอาด และถูกสุขลักษณะ",
     "The home is tidy, clean and hygienic"),
    (15, "education", "เด็กอายุ 3-5 ปี ได้รับบริการเลี้ยงดูเตรียมความพร้อมก่อนวัยเรียน",
     "Children aged 3-5 get early-childhood care"),
    (16, "education", "เด็กอายุ 6-14 ปี ได้รับการศึกษาภาคบังคับ 9 ปี",
     "Children aged 6-14 are in the 9 years of compulsory schooling"),
    (17, "education", "เด็กจบชั้น ม.3 ได้เรียนต่อชั้น ม.4 หรือเทียบเท่า",
     "Children who finish grade 9 go on to grade 10 or equivalent"),
    (19, "education", "คนอายุ 15-59 ปี อ่าน เขียนภาษาไทย และคิดเลขอย่างง่ายได้",
     "People aged 15-59 read and write Thai and do simple sums"),
    (20, "income", "คนอายุ 18-59 ปี มีอาชีพและมีรายได้",
     "People aged 18-59 have work and income"),
    (21, "income", "คนอายุ 60 ปีขึ้นไป มีอาชีพและมีรายได้",
     "People aged 60 and over have work and income"),
    (22, "income", "รายได้เฉลี่ยของคนในครัวเรือนต่อปี ไม่ต่ำกว่าเกณฑ์ จปฐ.",
     "Average income per person a year is at least the จปฐ. threshold"),
    (27, "access", "คนสูงอายุ ได้รับการดูแลจากครอบครัว ชุมชน ภาครัฐ หรือภาคเอกชน",
     "Elderly people are cared for by family, community, state or private bodies"),
    (28, "access", "คนพิการ ได้รับการดูแลจากครอบครัว ชุมชน ภาครัฐ หรือภาคเอกชน",
     "Disabled people are cared for by family, community, state or private bodies"),
]


def load(apps, schema_editor):
    ProblemArea = apps.get_model("visits", "ProblemArea")
    ProblemItem = apps.get_model("visits", "ProblemItem")
    for order, (code, name_th, name_en, sensitive, items) in enumerate(PROBLEM_AREAS):
        area, _ = ProblemArea.objects.update_or_create(
            code=code,
            defaults={"name_th": name_th, "name_en": name_en, "sensitive": sensitive,
                      "order": order},
        )
        for item_order, (item_code, item_th, item_en) in enumerate(items):
            ProblemItem.objects.update_or_create(
                code=item_code,
                defaults={"area": area, "name_th": item_th, "name_en": item_en,
                          "order": item_order},
            )
    IndicatorSet = apps.get_model("visits", "IndicatorSet")
    Indicator = apps.get_model("visits", "Indicator")
    indicator_set, _ = IndicatorSet.objects.update_or_create(
        code="jpt-2560",
        defaults={"name": "จปฐ. ปี 2560-2564 (ตัวชี้วัดที่ TPMAP ใช้)",
                  "valid_from": "2017-01-01", "current": True},
    )
    for number, dimension, text_th, text_en in INDICATORS:
        Indicator.objects.update_or_create(
            indicator_set=indicator_set, number=number,
            defaults={"dimension": dimension, "text_th": text_th, "text_en": text_en},
        )


class Migration(migrations.Migration):
    dependencies = [("visits", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
