import factory

from carenet.accounts.models import AreaAssignment, Role, User

PASSWORD = "test-pass-ผ่าน-123"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="th_TH")
    last_name = factory.Faker("last_name", locale="th_TH")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj: User, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            obj.save()


class AreaAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AreaAssignment

    user = factory.SubFactory(UserFactory)
    role = Role.VOLUNTEER
    area = None
