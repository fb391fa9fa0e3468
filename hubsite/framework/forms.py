"""Forms of the framework. They validate what a person can type; the services re-check the
rules they own and their errors land on the same fields."""

from django import forms

from .models import AssessmentAnswer, PromptSchedule
from .services.assessments import NOTE_MAX_LENGTH
from .services.prompts import ANSWER_MAX_LENGTH

# Assessments ---------------------------------------------------------------------------

# The browser's own date picker; its value is always ISO, whatever the hub's locale.
ASSESSMENT_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
RATING_CHOICES = [("", "Not sure")] + [
    (str(value), f"{value} · {label}") for value, label in AssessmentAnswer.Rating.choices
]
RATING_ERROR = "Choose a rating from 1 (not yet) to 5 (it is how we work), or “Not sure”."


class AssessmentRoundForm(forms.Form):
    name = forms.CharField(
        max_length=120,
        help_text="For example “Spring 2026”. Each round has its own name.",
        error_messages={"required": "Give the round a name, for example “Spring 2026”."},
    )
    opens_on = forms.DateField(
        label="Opens on",
        widget=ASSESSMENT_DATE,
        error_messages={
            "required": "Enter the day the round opens.",
            "invalid": "Enter the day the round opens as a date.",
        },
    )
    closes_on = forms.DateField(
        label="Closes on",
        required=False,
        widget=ASSESSMENT_DATE,
        help_text="The last day people can answer. Leave it empty to keep the round open.",
        error_messages={"invalid": "Enter the day the round closes as a date."},
    )

    def clean(self):
        data = super().clean()
        opens_on, closes_on = data.get("opens_on"), data.get("closes_on")
        if opens_on and closes_on and closes_on < opens_on:
            self.add_error("closes_on", "The round cannot close before it opens.")
        return data


class AssessmentAnswersForm(forms.Form):
    """One person's answers to a round: for each practice a rating on the five-point scale
    (or "Not sure") and two short notes, prefilled with what they answered before."""

    def __init__(self, *args, practices, earlier=None, **kwargs):
        earlier = earlier or {}
        initial = {}
        for practice_id, answer in earlier.items():
            initial[f"rating_{practice_id}"] = str(answer.rating)
            initial[f"doing_{practice_id}"] = answer.doing
            initial[f"try_next_{practice_id}"] = answer.try_next
        super().__init__(*args, initial=initial, **kwargs)
        self.practices = list(practices)
        for practice in self.practices:
            self.fields[f"rating_{practice.pk}"] = forms.ChoiceField(
                label="How well do we do this?",
                choices=RATING_CHOICES,
                required=False,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": RATING_ERROR},
            )
            for name, label in (("doing", "What we're doing"), ("try_next", "What we'll try next")):
                self.fields[f"{name}_{practice.pk}"] = forms.CharField(
                    label=label,
                    required=False,
                    max_length=NOTE_MAX_LENGTH,
                    widget=forms.Textarea(attrs={"rows": 2}),
                    error_messages={
                        "max_length": f"Keep this note under {NOTE_MAX_LENGTH} characters."
                    },
                )

    def clean(self):
        data = super().clean()
        for practice in self.practices:
            rating = f"rating_{practice.pk}"
            if rating in self.errors or data.get(rating):
                continue
            if data.get(f"doing_{practice.pk}") or data.get(f"try_next_{practice.pk}"):
                self.add_error(rating, "Choose a rating for the notes you wrote, or clear them.")
        if not self.errors and not self.answers():
            raise forms.ValidationError("Rate at least one practice before saving.")
        return data

    def answers(self):
        """The rated practices as the service takes them: {practice id: (rating, doing,
        try next)}."""
        data = self.cleaned_data
        return {
            practice.pk: (
                int(data[f"rating_{practice.pk}"]),
                data.get(f"doing_{practice.pk}", ""),
                data.get(f"try_next_{practice.pk}", ""),
            )
            for practice in self.practices
            if data.get(f"rating_{practice.pk}")
        }

    def by_area(self):
        """The fields grouped for the page: [(area, [(practice, rating, doing, try next)])]."""
        areas = {}
        for practice in self.practices:
            areas.setdefault(practice.area, []).append(
                (
                    practice,
                    self[f"rating_{practice.pk}"],
                    self[f"doing_{practice.pk}"],
                    self[f"try_next_{practice.pk}"],
                )
            )
        return list(areas.items())


# Prompts -------------------------------------------------------------------------------
# (Imported here because this block was appended to the file; they may join those above.)


class PromptScheduleForm(forms.Form):
    """A reflection prompt staff schedule: the question, who it goes to and how often."""

    question = forms.CharField(
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example “What did we hear this month that surprised us?”",
        error_messages={
            "required": "Write the question people will be asked.",
            "max_length": "Keep the question to %(limit_value)d characters (%(show_value)d now).",
        },
    )
    audience = forms.ChoiceField(
        label="Who it goes to",
        choices=PromptSchedule.Audience.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose who the prompt goes to.",
            "invalid_choice": "Choose who the prompt goes to.",
        },
    )
    frequency = forms.ChoiceField(
        label="How often",
        choices=PromptSchedule.Frequency.choices,
        widget=forms.RadioSelect,
        help_text="“After each event” goes to those who ran it: the host and the group's "
        "organisers.",
        error_messages={
            "required": "Choose how often the prompt goes out.",
            "invalid_choice": "Choose how often the prompt goes out.",
        },
    )
    self_assessment = forms.BooleanField(
        label="Invite people to the self-assessment round",
        required=False,
        help_text="The prompt links to the assessment round open at the time.",
    )

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["active"] = forms.BooleanField(
                label="Keep sending this prompt",
                required=False,
                help_text="Untick to stop sending it; what was sent can still be answered.",
            )


class PromptAnswerForm(forms.Form):
    answer = forms.CharField(
        label="Your answer",
        max_length=ANSWER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": "Write your answer before sending it.",
            "max_length": "Keep your answer to %(limit_value)d characters (%(show_value)d now).",
        },
    )


# Learning log --------------------------------------------------------------------------


def practice_choices():
    """The practices as grouped choices, area by area in the card's order, and the practices
    by id so a form gives back objects without another query (one query)."""
    from .models import Practice

    practices = list(Practice.objects.select_related("area").order_by("area__order", "order"))
    groups = {}
    for practice in practices:
        groups.setdefault(practice.area.name, []).append((practice.pk, practice.text))
    return list(groups.items()), {practice.pk: practice for practice in practices}


class LearningForm(forms.Form):
    """A learning as a person writes it. What it is about is chosen among the subjects the
    areas offer this person (``subjects``); a learning being edited keeps its own."""

    title = forms.CharField(
        max_length=140,
        help_text="A few words to find it again, e.g. “Saturday stalls reach more families”.",
        error_messages={"required": "Give the learning a short title."},
    )
    happened = forms.CharField(
        label="What happened",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what happened."},
    )
    learned = forms.CharField(
        label="What we learned",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what we learned from it."},
    )
    differently = forms.CharField(
        label="What we'll do differently",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    subject_key = forms.ChoiceField(label="What it is about", required=False)
    areas = forms.TypedMultipleChoiceField(
        label="Areas of the framework",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose areas from the list."},
    )
    practices = forms.TypedMultipleChoiceField(
        label="Practices it is about",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Its areas are added for you.",
        error_messages={"invalid_choice": "Choose practices from the list."},
    )

    def __init__(self, *args, subjects, current_subject=None, **kwargs):
        from .models import Area
        from .services.learnings import SUBJECT_UNKNOWN

        super().__init__(*args, **kwargs)
        choices = [("", "Nothing in particular")]
        choices += [(subject.key, subject.label) for subject in subjects]
        if current_subject and current_subject[0] not in dict(choices):
            choices.append(current_subject)
        subject = self.fields["subject_key"]
        subject.choices = choices
        subject.error_messages["invalid_choice"] = SUBJECT_UNKNOWN
        self._areas = {area.pk: area for area in Area.objects.all()}
        self.fields["areas"].choices = [(pk, area.name) for pk, area in self._areas.items()]
        self.fields["practices"].choices, self._practices = practice_choices()

    def clean_practices(self):
        return [self._practices[pk] for pk in self.cleaned_data["practices"]]

    def clean_areas(self):
        return [self._areas[pk] for pk in self.cleaned_data["areas"]]


class LearningFilterForm(forms.Form):
    """The learning log's search and filters; the fields that validate filter, the others
    show their errors."""

    q = forms.CharField(
        label="Words",
        required=False,
        max_length=200,
        help_text="Searches the titles and what happened, was learned and will change.",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    area = forms.ModelChoiceField(
        queryset=None,
        required=False,
        to_field_name="slug",
        empty_label="Any area",
        error_messages={"invalid_choice": "Choose an area from the list."},
    )
    practice = forms.TypedChoiceField(
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": "Choose a practice from the list."},
    )
    kind = forms.ChoiceField(
        label="About",
        required=False,
        error_messages={"invalid_choice": "Choose what the learnings are about from the list."},
    )

    def __init__(self, *args, kinds, **kwargs):
        from .models import Area

        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.all()
        grouped, self._practices = practice_choices()
        self.fields["practice"].choices = [("", "Any practice"), *grouped]
        self.fields["kind"].choices = [("", "Anything"), *kinds]

    def clean_practice(self):
        practice = self.cleaned_data["practice"]
        return self._practices[practice] if practice is not None else None

    def filters(self):
        """The filters as ``selectors.learnings.learning_list`` takes them."""
        data = getattr(self, "cleaned_data", {})
        return {
            "text": data.get("q") or "",
            "area": data.get("area"),
            "practice": data.get("practice"),
            "kind": data.get("kind") or "",
        }


PRACTICE_ERRORS = {
    "invalid_choice": "Choose practices from the list.",
    "invalid_pk_value": "Choose practices from the list.",
}


class PracticeTagForm(forms.Form):
    """What the practice tags of a record's page send: the record, practices to add or take
    off, and the page to go back to."""

    kind = forms.CharField(max_length=40)
    object_id = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    add = forms.TypedMultipleChoiceField(coerce=int, required=False, error_messages=PRACTICE_ERRORS)
    remove = forms.TypedMultipleChoiceField(
        coerce=int, required=False, error_messages=PRACTICE_ERRORS
    )
    next = forms.CharField(required=False)  # checked by the view: only this site's pages

    def __init__(self, *args, **kwargs):
        from .models import Practice

        super().__init__(*args, **kwargs)
        self._practices = {practice.pk: practice for practice in Practice.objects.all()}
        choices = [(pk, str(practice)) for pk, practice in self._practices.items()]
        self.fields["add"].choices = choices
        self.fields["remove"].choices = choices

    def clean_add(self):
        return [self._practices[pk] for pk in self.cleaned_data["add"]]

    def clean_remove(self):
        return [self._practices[pk] for pk in self.cleaned_data["remove"]]
