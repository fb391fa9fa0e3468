"""The Social Action Hub framework as reference data: eight areas, their practices, and the
four values that run through them (loaded by a data migration, edited only by migrations)."""

from django.db import models
from django.urls import NoReverseMatch, reverse


class Area(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(unique=True)
    purpose = models.TextField(help_text="What the area is for, in plain language.")

    class Meta:
        ordering = ["order"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        try:
            return reverse(f"{self.slug}:home")
        except NoReverseMatch:
            return ""


class Practice(models.Model):
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="practices")
    order = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=300, help_text="The practice as the framework words it.")
    plain = models.TextField(blank=True, help_text="What it looks like in a hub's week.")

    class Meta:
        ordering = ["area__order", "order"]
        constraints = [
            models.UniqueConstraint(fields=["area", "order"], name="practice_order_unique")
        ]

    def __str__(self):
        return self.text


class Value(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(unique=True)
    description = models.TextField()

    class Meta:
        ordering = ["order"]

    def __str__(self):
        return self.name
