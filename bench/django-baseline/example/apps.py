from django.apps import AppConfig


class ExampleConfig(AppConfig):
    name = "example"

    def ready(self):
        import example.signals  # noqa: F401
