from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "hubsite.notify"
    label = "notify"
    verbose_name = "Outbox"
