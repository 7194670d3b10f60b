from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "carenet.training"
    label = "training"
    verbose_name = "training"
