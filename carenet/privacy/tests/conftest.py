from carenet.households.tests.conftest import world  # noqa: F401 - the households' small world
