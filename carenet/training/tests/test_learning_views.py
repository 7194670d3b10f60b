"""The learning pages: editing and taking tests, the evaluation form, the report, completion."""

import pytest
from django.urls import reverse

from carenet.training.models import Certificate, Evaluation, Question, QuizAttempt
from carenet.training.tests.factories_learning import answers_for, learning_world, take

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas, reference_data):
    return learning_world(personas)


# --- editing -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("district_coordinator_a", 200),
        ("province_officer", 200),
        ("district_coordinator_b", 404),
        ("volunteer_a", 403),
        ("auditor", 403),
    ],
)
def test_quiz_edit_access(world, login_as, persona, status):
    url = reverse("training:quiz_edit", args=[world.event.pk, "pre"])
    assert login_as(persona).get(url).status_code == status


def test_quiz_edit_anonymous(world, client):
    url = reverse("training:quiz_edit", args=[world.event.pk, "pre"])
    assert client.get(url).status_code == 302


def test_quiz_edit_add_question_and_copy(world, login_as):
    client = login_as("district_coordinator_a")
    world.post.questions.all().delete()
    url = reverse("training:quiz_edit", args=[world.event.pk, "pre"])
    response = client.post(
        url,
        {
            "action": "add",
            "text": "ข้อใหม่",
            "choice_1": "ถูก",
            "score_1": "1",
            "choice_2": "ผิด",
            "score_2": "0",
        },
    )
    assert response.status_code == 302
    assert world.pre.questions.count() == 6
    bad = client.post(url, {"action": "add", "text": "", "choice_1": "ก", "score_1": "x"})
    assert bad.status_code == 400
    assert "error-box" in bad.content.decode()
    post_url = reverse("training:quiz_edit", args=[world.event.pk, "post"])
    assert client.post(post_url, {"action": "copy"}).status_code == 302
    assert world.post.questions.count() == 6
    page = client.get(post_url).content.decode()
    assert "ข้อใหม่" in page


def test_quiz_edit_delete_other_district_question_404(world, login_as):
    other = Question.objects.create(quiz=world.pre, text="x")
    response = login_as("district_coordinator_b").post(
        reverse("training:quiz_edit", args=[world.event.pk, "pre"]),
        {"action": "delete", "question": other.pk},
    )
    assert response.status_code == 404
    assert Question.objects.filter(pk=other.pk).exists()


def test_quiz_edit_bad_kind_404(world, login_as):
    url = reverse("training:quiz_edit", args=[world.event.pk, "mid"])
    assert login_as("district_coordinator_a").get(url).status_code == 404


# --- taking --------------------------------------------------------------------------------------


def test_volunteer_takes_own_quiz(world, login_as):
    client = login_as("volunteer_a")
    url = reverse("training:quiz_take", args=[world.pre.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert page.content.decode().count('type="radio"') == 10
    answers = {f"q{k}": v for k, v in answers_for(world.pre, 4).items()}
    assert client.post(url, answers).status_code == 302
    result = client.get(url).content.decode()
    assert 'data-testid="score">4<' in result
    again = client.post(url, {f"q{k}": v for k, v in answers_for(world.pre, 5).items()})
    assert again.status_code == 400
    assert QuizAttempt.objects.get().score == 4


def test_missing_answers_shown(world, login_as):
    client = login_as("volunteer_a")
    answers = answers_for(world.pre, 5)
    first = next(iter(answers))
    del answers[first]
    response = client.post(
        reverse("training:quiz_take", args=[world.pre.pk]), {f"q{k}": v for k, v in answers.items()}
    )
    assert response.status_code == 400
    assert 'data-testid="errors"' in response.content.decode()
    assert not QuizAttempt.objects.exists()


@pytest.mark.parametrize("persona", ["volunteer_b", "district_coordinator_a", "auditor"])
def test_others_cannot_take(world, login_as, persona):
    client = login_as(persona)
    url = reverse("training:quiz_take", args=[world.pre.pk])
    assert client.get(url).status_code == 404
    answers = {f"q{k}": v for k, v in answers_for(world.pre, 5).items()}
    assert client.post(url, answers).status_code == 404
    assert not QuizAttempt.objects.exists()


# --- evaluation --------------------------------------------------------------------------------


def test_evaluation_form(world, login_as):
    client = login_as("volunteer_a")
    url = reverse("training:evaluation", args=[world.event.pk])
    assert 'data-testid="evaluation-form"' in client.get(url).content.decode()
    bad = client.post(url, {"content": "5"})
    assert bad.status_code == 400
    ratings = {"content": "5", "speakers": "4", "venue": "3", "usefulness": "5", "overall": "4"}
    assert client.post(url, {**ratings, "comment": "ได้ความรู้มาก"}).status_code == 302
    assert 'data-testid="evaluation-done"' in client.get(url).content.decode()
    assert Evaluation.objects.count() == 1
    summary = login_as("district_coordinator_a").get(url).content.decode()
    assert "ได้ความรู้มาก" in summary


@pytest.mark.parametrize(
    ("persona", "status"), [("volunteer_b", 404), ("district_coordinator_b", 404)]
)
def test_evaluation_out_of_scope(world, login_as, persona, status):
    url = reverse("training:evaluation", args=[world.event.pk])
    assert login_as(persona).get(url).status_code == status


# --- report and completion -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("district_coordinator_a", 200),
        ("province_officer", 200),
        ("national_admin", 200),
        ("auditor", 200),
        ("district_coordinator_b", 404),
        ("volunteer_a", 404),
        (None, 302),
    ],
)
def test_report_access(world, login_as, persona, status):
    response = login_as(persona).get(reverse("training:report", args=[world.event.pk]))
    assert response.status_code == status


def test_report_figures_shown(world, login_as, django_assert_max_num_queries):
    take(world.pre, world.mine, 2)
    take(world.post, world.mine, 4)
    client = login_as("district_coordinator_a")
    with django_assert_max_num_queries(25):
        page = client.get(reverse("training:report", args=[world.event.pk])).content.decode()
    assert 'data-testid="gain">+40.0<' in page
    assert 'data-testid="improved">100%<' in page
    assert "<svg" in page


def test_complete_confirm_then_post(world, login_as):
    world.event.competencies.set(["child_protection"])
    client = login_as("district_coordinator_a")
    url = reverse("training:complete", args=[world.event.pk])
    confirm = client.get(url).content.decode()
    assert 'data-testid="new-certificates"' in confirm
    assert "<strong>2</strong>" in confirm
    assert not Certificate.objects.exists()
    assert client.post(url).status_code == 302
    assert Certificate.objects.count() == 2


@pytest.mark.parametrize(
    ("persona", "status"), [("district_coordinator_b", 404), ("auditor", 403), ("volunteer_a", 403)]
)
def test_complete_refused(world, login_as, persona, status):
    url = reverse("training:complete", args=[world.event.pk])
    assert login_as(persona).post(url).status_code == status
    assert not Certificate.objects.exists()
