from django.apps import AppConfig


class SeamsConfig(AppConfig):
    """A test-only app that plugs into the spine's seams (an effect, outbox receivers)
    exactly as a later app would, without touching the engine."""

    name = "tests.seams"
    label = "seams"

    def ready(self) -> None:
        from tests.seams import plugins  # noqa: F401 - registers the effect and receivers
