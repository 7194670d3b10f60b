import factory

from carenet.areas.models import Area, Level


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{10 + n % 89:02d}")
    level = Level.PROVINCE
    name_th = factory.Sequence(lambda n: f"พื้นที่{n}")
    name_en = factory.Sequence(lambda n: f"Area {n}")
