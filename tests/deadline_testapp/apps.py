from django.apps import AppConfig


class DeadlineTestappConfig(AppConfig):
    name = "tests.deadline_testapp"
    label = "deadline_testapp"
