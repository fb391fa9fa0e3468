"""Forms of Action. They validate what a person can type; the services re-check the rules
they own and their errors land on the same fields. Each part keeps its block."""

from django import forms

from hubsite.forms import IdChoiceField, IdsChoiceField
from hubsite.people.models import Group, Locality, Person

from .models import Activity, Ask, Campaign, Story
from .selectors.campaigns import campaign_public
from .services import stories as story_rules

# Campaigns and sign-ups -----------------------------------------------------------------


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = [
            "name",
            "summary",
            "need",
            "demand",
            "decision_makers",
            "status",
            "groups",
            "themes",
            "partners",
            "endorsements",
        ]
        widgets = {
            "need": forms.Textarea(attrs={"rows": 3}),
            "demand": forms.Textarea(attrs={"rows": 3}),
            "decision_makers": forms.Textarea(attrs={"rows": 3}),
            "groups": forms.CheckboxSelectMultiple,
            "themes": forms.CheckboxSelectMultiple,
            "partners": forms.CheckboxSelectMultiple,
            "endorsements": forms.CheckboxSelectMultiple,
        }
        field_classes = dict.fromkeys(
            ["groups", "themes", "partners", "endorsements"], IdsChoiceField
        )

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["groups"].queryset = groups
        self.fields["partners"].queryset = Group.objects.order_by("name")
        others = campaign_public().order_by("name")
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        self.fields["endorsements"].queryset = others
        self.fields["endorsements"].label = "Campaigns it stands with"


class SignupForm(forms.Form):
    first_name = forms.CharField(max_length=80)
    last_name = forms.CharField(max_length=80, required=False)
    email = forms.EmailField(
        max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    postcode = forms.CharField(
        max_length=10, required=False, widget=forms.TextInput(attrs={"autocomplete": "postal-code"})
    )
    locality = IdChoiceField(
        queryset=Locality.objects.order_by("name"),
        required=False,
        empty_label="Choose if you like",
        label="Where you live",
    )
    comment = forms.CharField(
        label="Why it matters to you (optional)",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    show_name = forms.BooleanField(
        label="Show my first name and initial on the campaign's page", required=False
    )
    consent_contact = forms.BooleanField(
        label="Send me news of this campaign by email",
        required=False,
        help_text="You can stop them at any time with the link in each email.",
    )
    # Left empty by people; filled by bots that fill every field.
    website = forms.CharField(
        required=False,
        label="Leave this empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    # The campaign whose invitation brought them here (its slug), if any.
    invited_from = forms.SlugField(required=False, widget=forms.HiddenInput)

    def clean_first_name(self):
        value = " ".join(self.cleaned_data["first_name"].split())
        if not value:
            raise forms.ValidationError("Enter your first name.")
        return value

    def clean_postcode(self):
        value = " ".join(self.cleaned_data.get("postcode", "").upper().split())
        if value and not (
            2 <= len(value.replace(" ", "")) <= 7 and value.replace(" ", "").isalnum()
        ):
            raise forms.ValidationError("Enter a postcode like KE1 4AB, or leave it empty.")
        return value


# Updates ---------------------------------------------------------------------------------


class UpdateForm(forms.Form):
    subject = forms.CharField(
        max_length=140,
        help_text="What supporters see in their inbox: say what is new.",
        error_messages={"required": "Write a subject: it is what supporters see first."},
    )
    body = forms.CharField(
        label="The update",
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="Plain text. Each email adds why the supporter gets it and a link to stop them.",
        error_messages={"required": "Write the update itself."},
    )

    def clean_subject(self):
        # One line: a line break in a subject would break the email.
        return " ".join(self.cleaned_data["subject"].split())


class UpdateSendForm(forms.Form):
    confirm = forms.BooleanField(
        label="Yes, send it now",
        error_messages={"required": "Tick the box to say the update is ready to go."},
    )


# Activities -----------------------------------------------------------------------------


class ActivityForm(forms.ModelForm):
    """Propose or edit an activity. The hub's support is a field for staff only."""

    class Meta:
        model = Activity
        fields = ["name", "kind", "need", "description", "locality", "group", "support"]
        field_classes = {"locality": IdChoiceField, "group": IdChoiceField}
        labels = {
            "name": "What it is called",
            "kind": "What kind of thing it is",
            "need": "The local need it meets",
            "description": "What it does, and how",
            "locality": "Where",
            "support": "What support the hub gives",
        }
        help_texts = {
            "need": "Who needs it and why: what people told you, what is missing.",
            "description": "When and where it happens, what is needed to run it.",
            "group": "The group behind it, if there is one.",
            "support": "A room, money, training, publicity, a worker's time…",
        }
        error_messages = {
            "name": {"required": "Give the activity a name."},
            "need": {"required": "Say what local need it meets."},
        }
        widgets = {
            "need": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 4}),
            "support": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, groups, can_record_support=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["locality"].queryset = Locality.objects.order_by("name")
        self.fields["locality"].empty_label = "Not in one place"
        self.fields["group"].queryset = groups
        self.fields["group"].empty_label = "No group"
        if not can_record_support:
            del self.fields["support"]

    def clean_name(self):
        value = " ".join(self.cleaned_data["name"].split())
        if not value:
            raise forms.ValidationError("Give the activity a name.")
        return value


class ActivityStageForm(forms.Form):
    stage = forms.ChoiceField(
        label="Move it to",
        choices=Activity.Stage.choices,
        error_messages={
            "required": "Choose the stage to move it to.",
            "invalid_choice": "Choose one of the stages: idea, planning, running or stopped.",
        },
    )
    reason = forms.CharField(
        label="Why",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed when it stops, so that others can learn from it. Kept, dated, "
        "at the end of its description.",
    )

    def clean(self):
        data = super().clean()
        if data.get("stage") == Activity.Stage.STOPPED and not data.get("reason", "").strip():
            self.add_error("reason", "Say why it stopped, so that others can learn from it.")
        return data


class ActivityPersonForm(forms.Form):
    """The person to add to an activity or take off it, by their id."""

    person = IdChoiceField(
        queryset=Person.objects.all(),
        widget=forms.HiddenInput,
        error_messages={
            "required": "Choose a person.",
            "invalid_choice": "That person is not known to the hub. Search again.",
        },
    )


# Asks and solidarity --------------------------------------------------------------------


class AskForm(forms.ModelForm):
    # The same bounds on every database (SQLite does not bound small integers).
    order = forms.IntegerField(
        min_value=0, max_value=999, initial=0, help_text="Asks with a smaller number come first."
    )

    class Meta:
        model = Ask
        fields = ["kind", "title", "details", "target", "suggested_text", "order", "active"]
        widgets = {
            "details": forms.Textarea(attrs={"rows": 3}),
            "suggested_text": forms.Textarea(attrs={"rows": 8}),
        }
        help_texts = {
            "target": "For a letter: the person or role to write to, and how to reach them.",
            "active": "Untick to hide the ask from the campaign's page.",
        }
        error_messages = {"title": {"required": "Give the ask a title."}}

    def clean_title(self):
        value = " ".join(self.cleaned_data["title"].split())
        if not value:
            raise forms.ValidationError("Give the ask a title.")
        return value

    def clean(self):
        data = super().clean()
        if data.get("kind") == Ask.Kind.WRITE and not data.get("target", "").strip():
            self.add_error("target", "Say who supporters write to: a name or a role.")
        return data


class ActionsLinkForm(forms.Form):
    email = forms.EmailField(
        label="The email address you signed with",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    # Left empty by people; filled by bots that fill every field.
    website = forms.CharField(
        required=False,
        label="Leave this empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )


class SolidarityInviteForm(forms.Form):
    to_campaign = IdChoiceField(
        queryset=Campaign.objects.none(),
        label="Invite them to sign",
        empty_label="Choose a campaign",
        error_messages={
            "required": "Choose the campaign to invite them to.",
            "invalid_choice": "Choose one of the campaigns in the list.",
        },
    )

    def __init__(self, *args, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_campaign"].queryset = campaigns


# Stories --------------------------------------------------------------------------------
# Imported here so that this part's block stays whole at the end of the module.


class PhotoField(forms.ImageField):
    """An image checked for its size before Pillow reads it, then decoded whole (a file cut
    short, forged or a pixel bomb is refused) and of a type the hub shows; the service
    re-encodes it without its metadata before it is stored."""

    default_error_messages = {"invalid_image": story_rules.PHOTO_INVALID}

    def to_python(self, data):
        if data not in self.empty_values and hasattr(data, "size"):
            problem = story_rules.photo_problem(data)
            if problem:
                raise forms.ValidationError(problem, code="invalid_image")
        return super().to_python(data)


class StoryForm(forms.Form):
    """Telling a story, or editing one (``story``): consent is given or withdrawn with its own
    buttons once the story exists, and its photo can be removed."""

    title = forms.CharField(
        max_length=story_rules.TITLE_MAX,
        error_messages={"required": "Give your story a title."},
    )
    text = forms.CharField(
        label="Your story, in your own words",
        min_length=story_rules.TEXT_MIN,
        max_length=story_rules.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 12}),
        error_messages={
            "required": "Tell your story: the box is empty.",
            "min_length": "Your story is very short: write at least %(limit_value)d characters.",
            "max_length": "Your story is %(show_value)d characters long: "
            "please keep it under %(limit_value)d.",
        },
    )
    campaign = IdChoiceField(
        queryset=campaign_public().order_by("name"),
        required=False,
        empty_label="No campaign in particular",
        label="Is it about a campaign?",
        error_messages={"invalid_choice": "Choose one of the campaigns in the list."},
    )
    photo = PhotoField(
        label="A photo (optional)",
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text="A JPEG, PNG or WebP image of up to 5 MB. Only share photos of people "
        "who agree to it.",
    )
    photo_alt = forms.CharField(
        label="What the photo shows",
        max_length=250,
        required=False,
        help_text="For people who cannot see it. Needed with a photo.",
    )
    remove_photo = forms.BooleanField(label="Remove the photo", required=False)
    credit = forms.ChoiceField(
        label="How should we credit you?",
        choices=Story.Credit.choices,
        initial=Story.Credit.FIRST_NAME,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how you want to be credited.",
            "invalid_choice": "Choose how you want to be credited.",
        },
    )
    consent_to_publish = forms.BooleanField(
        label="Publish my story on the hub's website once the team has read it",
        required=False,
        help_text="Without this, only the hub's staff read it. You can withdraw at any time: "
        "the story comes down at once.",
    )

    def __init__(self, *args, story=None, **kwargs):
        if story is not None:
            kwargs.setdefault(
                "initial",
                {
                    "title": story.title,
                    "text": story.text,
                    "campaign": story.campaign_id,
                    "photo_alt": story.photo_alt,
                    "credit": story.credit,
                },
            )
        super().__init__(*args, **kwargs)
        self.story = story
        if story is None:
            del self.fields["remove_photo"]
        else:
            del self.fields["consent_to_publish"]
            if story.photo:
                self.fields["photo"].label = "Replace the photo (optional)"
            else:
                del self.fields["remove_photo"]

    def clean_title(self):
        value = " ".join(self.cleaned_data["title"].split())
        if not value:
            raise forms.ValidationError("Give your story a title.")
        return value

    def clean(self):
        data = super().clean()
        kept = bool(self.story and self.story.photo and not data.get("remove_photo"))
        has_photo = bool(data.get("photo")) or kept
        if has_photo and not " ".join(data.get("photo_alt", "").split()):
            self.add_error(
                "photo_alt", "Describe what the photo shows, for people who cannot see it."
            )
        return data


class StoryLinkForm(forms.Form):
    """A visitor without an account: where to send the link that opens the story form."""

    first_name = forms.CharField(max_length=80, error_messages={"required": "Enter your name."})
    last_name = forms.CharField(max_length=80, required=False)
    email = forms.EmailField(
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Enter your email address: we send the link there.",
            "invalid": "Enter an email address like name@example.org.",
        },
    )
    # Left empty by people; filled by bots that fill every field.
    website = forms.CharField(
        required=False,
        label="Leave this empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean_first_name(self):
        value = " ".join(self.cleaned_data["first_name"].split())
        if not value:
            raise forms.ValidationError("Enter your name.")
        return value


class StoryModerationForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[
            (story_rules.APPROVE, "Approve: publish it"),
            (story_rules.CHANGES, "Ask the teller for changes"),
            (story_rules.REJECT, "Reject: do not publish it"),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what to do with the story.",
            "invalid_choice": "Choose what to do with the story.",
        },
    )
    note = forms.CharField(
        label="Note to the teller",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Sent to them by email. Needed when you ask for changes.",
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == story_rules.CHANGES and not data.get("note", "").strip():
            self.add_error("note", "Say what should change: the teller reads this note.")
        return data
