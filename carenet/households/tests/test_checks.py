"""What the household page asks to check (households.checks): never errors, only notes."""

from types import SimpleNamespace

from carenet.households import checks


def member(age, **values):
    fields = {
        "full_name": "สมชาย ใจดี",
        "title": "นาย",
        "lives_alone": False,
        "disability": False,
        "disability_allowance": False,
        "elderly_allowance": False,
        "newborn_grant": False,
        "relation": "",
        **values,
    }
    return SimpleNamespace(person=SimpleNamespace(**fields), age=age)


def test_a_consistent_household_has_nothing_to_check():
    assert checks.to_check([member(40), member(70, title="นาง", elderly_allowance=True)]) == []
    assert checks.to_check([member(80, lives_alone=True)]) == []  # alone, and alone here
    assert checks.to_check([member(None, title="เด็กชาย")]) == []  # no birth date: no age
    assert checks.to_check([member(16, title="นาย", relation="head")]) == []


def test_each_thing_worth_a_second_look_is_one_sentence():
    notes = checks.to_check(
        [
            member(70, lives_alone=True),
            member(9, title="นาย"),
            member(17, title="เด็กหญิง"),
            member(45, elderly_allowance=True),
            member(8, title="เด็กชาย", newborn_grant=True),
            member(30, disability_allowance=True),
            member(1, title="เด็กชาย", relation="head"),
        ]
    )
    assert len(notes) == 7
    assert all("สมชาย ใจดี" in note for note in notes)
