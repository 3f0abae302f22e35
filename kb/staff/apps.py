from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "kb.staff"
    label = "staff"
    verbose_name = "Staff workflow"
