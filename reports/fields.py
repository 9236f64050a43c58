"""Form fields shared by the reports' parameters."""

from django import forms


class CommaMultipleChoiceField(forms.MultipleChoiceField):
    """Several choices, given repeated (``?group_by=member&group_by=month``) or comma-separated."""

    def to_python(self, value):
        values = super().to_python(value)
        return [part.strip() for item in values for part in str(item).split(",") if part.strip()]
