"""The words of the demo's cases (what is asked, found, planned and answered) and Chumphon's
directory of agencies, built from the real names of its districts and subdistricts."""

import random

from django.db.models import Q

from carenet.areas.models import Area, Level, within
from carenet.cases.models import Agency, AgencyKind, Outcome
from carenet.demo.chumphon import PROVINCE

K = AgencyKind

CATEGORY_PROBLEMS: dict[str, tuple[str, ...]] = {
    "poverty": ("low_income", "family_debt", "informal_debt", "unemployed"),
    "housing": ("dilapidated", "unsafe_home", "no_land_right"),
    "care_needed": ("bedridden_no_carer", "alone_no_carer", "chronic_no_care"),
    "disability": ("no_disability_card", "chronic_no_care", "low_income"),
    "child_welfare": ("orphaned", "abandoned", "skipped_generation"),
    "education": ("no_school_costs", "dropout_risk"),
    "homeless": ("no_home", "no_id_card"),
    "disaster": ("unsafe_home", "low_income"),
    "domestic_violence": ("domestic_violence", "family_conflict"),
    "child_abuse": ("child_abuse", "sexual_abuse"),
    "trafficking": ("forced_labour", "child_labour"),
    "other": ("other",),
}

# (help wanted, amount asked in baht or None)
HELP_WANTED: dict[str, tuple[str, int | None]] = {
    "poverty": ("ขอรับเงินสงเคราะห์ค่าครองชีพและถุงยังชีพ", 3000),
    "housing": ("ขอรับการช่วยเหลือซ่อมแซมหลังคาและผนังบ้านที่ผุพัง", 35000),
    "care_needed": ("ขอผู้ดูแลผู้ป่วยติดเตียง ผ้าอ้อมผู้ใหญ่และที่นอนลม", None),
    "disability": ("ขอรถเข็นคนพิการและขึ้นทะเบียนรับเบี้ยความพิการ", None),
    "child_welfare": ("ขอให้จัดหาผู้ดูแลเด็กและเงินช่วยเหลือค่าเลี้ยงดู", 3000),
    "education": ("ขอทุนการศึกษาและค่าอุปกรณ์การเรียน", 2000),
    "homeless": ("ขอที่พักชั่วคราวและทำบัตรประจำตัวประชาชน", None),
    "disaster": ("ขอรับการช่วยเหลือหลังน้ำท่วมบ้าน เครื่องใช้เสียหาย", 3000),
    "domestic_violence": ("ขอความคุ้มครองและที่พักชั่วคราวที่ปลอดภัย", None),
    "child_abuse": ("ขอให้คุ้มครองเด็กและแยกออกจากผู้กระทำ", None),
    "trafficking": ("ขอความช่วยเหลือให้ออกจากการถูกบังคับใช้แรงงานและกลับภูมิลำเนา", None),
    "other": ("ขอคำปรึกษาและประสานความช่วยเหลือตามสิทธิ", None),
}

CATEGORY_AID: dict[str, tuple[str, ...]] = {
    "poverty": ("emergency_cash", "low_income_family", "goods", "welfare_card"),
    "housing": ("elderly_home_repair", "goods"),
    "care_needed": ("goods", "devices", "elderly_allowance", "emergency_cash"),
    "disability": ("devices", "disability_allowance", "disability_home_repair"),
    "child_welfare": ("emergency_cash", "goods", "newborn_grant"),
    "education": ("emergency_cash",),
    "homeless": ("emergency_cash", "goods"),
    "disaster": ("emergency_cash", "goods"),
    "domestic_violence": ("emergency_cash",),
    "child_abuse": ("goods",),
    "trafficking": ("emergency_cash",),
    "other": ("goods",),
}

# (agency kind, the service asked of it)
REFERRAL_NEEDS: dict[str, tuple[tuple[str, str], ...]] = {
    "care_needed": (
        (K.HEALTH, "ขอให้ส่งผู้ดูแลผู้ป่วยติดเตียง (Caregiver) เยี่ยมบ้านและประเมินอาการ"),
        (K.LOCAL_GOVERNMENT, "ขอรับผ้าอ้อมผู้ใหญ่และที่นอนลมจากกองทุนดูแลระยะยาว"),
    ),
    "housing": ((K.LOCAL_GOVERNMENT, "ขอรับการสนับสนุนวัสดุซ่อมแซมที่อยู่อาศัย"),),
    "disability": (
        (K.HEALTH, "ขอให้ประเมินความพิการเพื่อออกบัตรประจำตัวคนพิการ"),
        (K.LOCAL_GOVERNMENT, "ขอขึ้นทะเบียนรับเบี้ยความพิการ"),
    ),
    "poverty": (
        (K.LOCAL_GOVERNMENT, "ขอรับการสนับสนุนถุงยังชีพและฝึกอาชีพ"),
        (K.LOCAL_GOVERNMENT, "ขอขึ้นทะเบียนรับเบี้ยยังชีพผู้สูงอายุ"),
    ),
    "child_welfare": (
        (K.CHILDREN_HOME, "ขอให้ประเมินสภาพครอบครัวและจัดหาครอบครัวอุปถัมภ์"),
        (K.SCHOOL, "ขอให้ติดตามการมาเรียนและดูแลอาหารกลางวัน"),
    ),
    "education": (
        (K.SCHOOL, "ขอทุนการศึกษาและติดตามการมาเรียน"),
        (K.LOCAL_GOVERNMENT, "ขอสนับสนุนค่าเดินทางไปโรงเรียน"),
    ),
    "homeless": ((K.SHELTER, "ขอรับเข้าพักในศูนย์คุ้มครองคนไร้ที่พึ่ง"),),
    "disaster": ((K.LOCAL_GOVERNMENT, "ขอรับการช่วยเหลือผู้ประสบภัยตามระเบียบกระทรวงการคลัง"),),
    "domestic_violence": (
        (K.POLICE, "ขอให้ดำเนินการตามพระราชบัญญัติคุ้มครองผู้ถูกกระทำด้วยความรุนแรงในครอบครัว"),
        (K.CHILDREN_HOME, "ขอรับผู้ถูกกระทำเข้าพักชั่วคราวในบ้านพักเด็กและครอบครัว"),
    ),
    "child_abuse": (
        (K.CHILDREN_HOME, "ขอรับเด็กเข้าสถานคุ้มครองและฟื้นฟูสภาพจิตใจ"),
        (K.POLICE, "ขอให้สอบสวนและดำเนินคดีกับผู้กระทำ"),
    ),
    "trafficking": (
        (K.POLICE, "ขอให้ดำเนินคดีตามพระราชบัญญัติป้องกันและปราบปรามการค้ามนุษย์"),
        (K.SHELTER, "ขอรับผู้เสียหายเข้าพักและส่งกลับภูมิลำเนา"),
    ),
    "other": ((K.LOCAL_GOVERNMENT, "ขอให้ประสานความช่วยเหลือตามอำนาจหน้าที่"),),
}

# (what, who outside Carenet or "" for a demo login)
TASKS: dict[str, tuple[tuple[str, str], ...]] = {
    "poverty": (
        ("เยี่ยมบ้านประเมินรายได้และรายจ่ายของครอบครัว", ""),
        ("ประสานการจ่ายเงินสงเคราะห์", ""),
        ("แนะนำแหล่งเงินทุนประกอบอาชีพ", "สำนักงานพัฒนาชุมชนอำเภอ"),
    ),
    "housing": (
        ("สำรวจสภาพบ้านและประมาณราคาค่าซ่อม", "ช่างของ อบต."),
        ("จัดซื้อวัสดุซ่อมแซมบ้าน", ""),
        ("ติดตามการซ่อมแซมให้แล้วเสร็จ", ""),
    ),
    "care_needed": (
        ("ประสาน รพ.สต. จัดผู้ดูแลเยี่ยมบ้าน", ""),
        ("จัดหาผ้าอ้อมผู้ใหญ่และที่นอนลม", ""),
        ("เยี่ยมติดตามอาการทุกสัปดาห์", ""),
    ),
    "disability": (
        ("พาไปประเมินความพิการที่โรงพยาบาล", ""),
        ("ยื่นขอบัตรประจำตัวคนพิการ", ""),
        ("ส่งมอบรถเข็นคนพิการ", ""),
    ),
    "child_welfare": (
        ("ประชุมทีมสหวิชาชีพวางแผนดูแลเด็ก", ""),
        ("ประสานโรงเรียนติดตามการมาเรียน", "ครูประจำชั้น"),
    ),
    "education": (("ยื่นขอทุนการศึกษา", ""), ("ติดตามการมาเรียน", "ครูประจำชั้น")),
    "homeless": (("ประสานที่พักชั่วคราว", ""), ("พาไปทำบัตรประจำตัวประชาชน", "ที่ว่าการอำเภอ")),
    "disaster": (("สำรวจความเสียหาย", ""), ("มอบถุงยังชีพ", "")),
    "domestic_violence": (
        ("ประชุมทีมสหวิชาชีพ", ""),
        ("ติดตามความปลอดภัยของผู้ถูกกระทำ", ""),
    ),
    "child_abuse": (("ประชุมทีมสหวิชาชีพคุ้มครองเด็ก", ""), ("ติดตามเด็กที่บ้านพัก", "")),
    "trafficking": (("คัดแยกผู้เสียหายร่วมกับตำรวจ", ""), ("ประสานส่งกลับภูมิลำเนา", "")),
    "other": (("เยี่ยมบ้านให้คำปรึกษา", ""),),
}

FIELD_COMMENTS: dict[str, tuple[str, ...]] = {
    "documents": ("ขอรูปถ่ายสภาพบ้านเพิ่มอย่างน้อย 2 รูป", "ขอสำเนาบัตรประชาชนที่อ่านได้ชัด"),
    "consent": ("ลายมือชื่อไม่ชัด ขอให้ผู้ขอรับความช่วยเหลือลงนามใหม่",),
    "registered_address": ("ที่อยู่ตามทะเบียนบ้านไม่ตรงกับสำเนาทะเบียนบ้าน",),
    "amount_requested": ("จำนวนเงินเกินวงเงินต่อครั้ง (3,000 บาท)",),
    "welfare": ("ระบุสวัสดิการที่ได้รับในปีงบประมาณนี้ให้ครบ",),
    "help_wanted": ("ระบุความช่วยเหลือที่ต้องการให้ชัดเจน",),
    "problems": ("ขอให้ระบุสภาพปัญหาเพิ่มเติม",),
    "requester": ("ระบุความสัมพันธ์ของผู้ยื่นคำร้องกับผู้ประสบปัญหา",),
    "location": ("พิกัดบ้านไม่ตรงกับที่อยู่ กรุณาตรวจสอบ",),
}

FOLLOW_UP_NOTES = (
    "เยี่ยมบ้านแล้ว สภาพความเป็นอยู่ดีขึ้น ญาติช่วยดูแลมากขึ้น",
    "โทรติดตาม ได้รับของช่วยเหลือครบแล้ว",
    "ยังรอหน่วยงานตอบกลับ นัดติดตามอีกครั้งสัปดาห์หน้า",
    "ผู้ป่วยอาการคงที่ รพ.สต. มาเยี่ยมตามนัด",
    "ซ่อมแซมบ้านไปแล้วครึ่งหนึ่ง รอวัสดุเพิ่ม",
    "ครอบครัวเริ่มมีรายได้จากการรับจ้างกรีดยาง",
)

CLOSING_NOTES: dict[str, tuple[str, ...]] = {
    Outcome.SOLVED: (
        "ได้รับความช่วยเหลือครบตามแผน ปัญหาคลี่คลายแล้ว",
        "มอบเงินสงเคราะห์แล้ว ครอบครัวดูแลตนเองได้",
        "ซ่อมแซมบ้านแล้วเสร็จ อยู่อาศัยได้ปลอดภัย",
    ),
    Outcome.REFERRED_ON: (
        "ส่งต่อหน่วยงานที่รับผิดชอบดูแลต่อเนื่องแล้ว",
        "อบต. รับไปดูแลต่อตามอำนาจหน้าที่",
    ),
    Outcome.MOVED: ("ย้ายไปอยู่กับบุตรต่างจังหวัด แจ้ง พมจ. ปลายทางแล้ว",),
    Outcome.DIED: ("ผู้ประสบปัญหาเสียชีวิต ประสานญาติเรื่องสิทธิค่าจัดการศพแล้ว",),
    Outcome.DECLINED: ("ผู้ประสบปัญหาขอไม่รับความช่วยเหลือเพิ่มเติม",),
}

DECLINE_REASONS = (
    "ไม่เข้าหลักเกณฑ์ รายได้ครอบครัวเกินเกณฑ์ที่กำหนด",
    "ได้รับความช่วยเหลือประเภทเดียวกันครบตามสิทธิในปีงบประมาณนี้แล้ว",
    "ปัญหาได้รับการแก้ไขโดยหน่วยงานอื่นแล้ว",
)
REOPEN_REASONS = (
    "ติดตามแล้วพบปัญหาเดิมกลับมาอีก ต้องช่วยเหลือต่อ",
    "ญาติแจ้งว่าผู้ดูแลย้ายออก ผู้ป่วยอยู่ลำพังอีกครั้ง",
)

# --- The directory ------------------------------------------------------------------------

MUEANG_ADDRESS = "ตำบลท่าตะเภา อำเภอเมืองชุมพร จังหวัดชุมพร 86000"
# (area, kind, name, head title, address); the phone comes from the seed. No area: national.
PROVINCIAL_AGENCIES = (
    ("86", K.PMJ, "สำนักงานพัฒนาสังคมและความมั่นคงของมนุษย์จังหวัดชุมพร",
     "พัฒนาสังคมและความมั่นคงของมนุษย์จังหวัดชุมพร", f"ศาลากลางจังหวัดชุมพร {MUEANG_ADDRESS}"),
    ("86", K.CHILDREN_HOME, "บ้านพักเด็กและครอบครัวจังหวัดชุมพร",
     "ผู้อำนวยการบ้านพักเด็กและครอบครัวจังหวัดชุมพร", MUEANG_ADDRESS),
    ("86", K.SHELTER, "ศูนย์คุ้มครองคนไร้ที่พึ่งจังหวัดชุมพร",
     "ผู้อำนวยการศูนย์คุ้มครองคนไร้ที่พึ่งจังหวัดชุมพร", MUEANG_ADDRESS),
    (None, K.HOTLINE, "ศูนย์ช่วยเหลือสังคม สายด่วน 1300", "ผู้อำนวยการศูนย์ช่วยเหลือสังคม",
     "กระทรวงการพัฒนาสังคมและความมั่นคงของมนุษย์ กรุงเทพมหานคร"),  # national: no area
    ("8601", K.HEALTH, "โรงพยาบาลชุมพรเขตรอุดมศักดิ์",
     "ผู้อำนวยการโรงพยาบาลชุมพรเขตรอุดมศักดิ์", f"ถนนพิศิษฐ์พยาบาล {MUEANG_ADDRESS}"),
    ("8601", K.POLICE, "สถานีตำรวจภูธรเมืองชุมพร", "ผู้กำกับการสถานีตำรวจภูธรเมืองชุมพร",
     MUEANG_ADDRESS),
    ("8601", K.SCHOOL, "โรงเรียนศรียาภัย", "ผู้อำนวยการโรงเรียนศรียาภัย", MUEANG_ADDRESS),
    ("8601", K.SCHOOL, "โรงเรียนสอาดเผดิมวิทยา", "ผู้อำนวยการโรงเรียนสอาดเผดิมวิทยา",
     MUEANG_ADDRESS),
)  # fmt: skip


def phone(rng: random.Random) -> str:
    return f"077-{rng.randint(500, 699)}-{rng.randrange(1000):03d}"


def agency_rows(rng: random.Random) -> list[tuple[str | None, str, str, str, str, str]]:
    """(area, kind, name, head title, address, phone) for the whole directory."""
    rows: list[tuple[str | None, str, str, str, str, str]] = [
        (*row, "1300" if row[1] == K.HOTLINE else phone(rng)) for row in PROVINCIAL_AGENCIES
    ]
    districts = Area.objects.filter(within(PROVINCE), level=Level.DISTRICT).order_by("code")
    subdistricts = Area.objects.filter(within(PROVINCE), level=Level.SUBDISTRICT).order_by("code")
    by_district: dict[str, list[Area]] = {}
    for sub in subdistricts:
        by_district.setdefault(sub.code[:4], []).append(sub)
    for district in districts:
        where = f"อำเภอ{district.name_th} จังหวัดชุมพร"
        if district.code != "8601":
            rows.append(
                (
                    district.code,
                    K.HEALTH,
                    f"โรงพยาบาล{district.name_th}",
                    f"ผู้อำนวยการโรงพยาบาล{district.name_th}",
                    where,
                    phone(rng),
                )
            )
            rows.append(
                (
                    district.code,
                    K.POLICE,
                    f"สถานีตำรวจภูธร{district.name_th}",
                    f"ผู้กำกับการสถานีตำรวจภูธร{district.name_th}",
                    where,
                    phone(rng),
                )
            )
        for index, sub in enumerate(by_district.get(district.code, [])):
            address = f"ตำบล{sub.name_th} {where}"
            if index == 0:  # the district's seat: a municipality
                town = "เมืองชุมพร" if district.code == "8601" else f"ตำบล{sub.name_th}"
                name, head = f"เทศบาล{town}", f"นายกเทศมนตรี{town}"
            else:
                name = f"องค์การบริหารส่วนตำบล{sub.name_th}"
                head = f"นายก{name}"
            rows.append((sub.code, K.LOCAL_GOVERNMENT, name, head, address, phone(rng)))
            health = f"โรงพยาบาลส่งเสริมสุขภาพตำบล{sub.name_th}"
            rows.append((sub.code, K.HEALTH, health, f"ผู้อำนวยการ{health}", address, phone(rng)))
    return rows


def ensure_agencies(rng: random.Random) -> int:
    """Chumphon's agencies and the national hotline, added when missing (by area and name);
    returns how many exist."""
    existing = set(
        Agency.objects.filter(within(PROVINCE, "area") | Q(area__isnull=True)).values_list(
            "area_id", "name"
        )
    )
    new = [
        Agency(area_id=area, kind=kind, name=name, head_title=head, address=address, phone=tel)
        for area, kind, name, head, address, tel in agency_rows(rng)
        if (area, name) not in existing
    ]
    Agency.objects.bulk_create(new)
    return len(existing) + len(new)
