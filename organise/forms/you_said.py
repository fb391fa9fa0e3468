"""The form of a "You said, we did" line: the words, and what it links to. The service
re-checks what it owns (only public events, and decisions of the hub's meetings or of public
groups, on the public page)."""

from django import forms
from django.utils.dateformat import format as date_format

from hubsite.forms import IdsChoiceField

from ..models import YouSaidWeDid
from ..selectors import you_said as selectors

MAX_TEXT = 5_000


class CampaignChoiceField(IdsChoiceField):
    def label_from_instance(self, campaign):
        if campaign.is_public:
            return campaign.name
        return f"{campaign.name} (in planning: shown once it starts)"


class EventChoiceField(IdsChoiceField):
    def label_from_instance(self, event):
        return f"{event.title}, {date_format(event.starts_at, 'j M Y')}"


class DecisionChoiceField(IdsChoiceField):
    def label_from_instance(self, decision):
        meeting = decision.meeting
        return (
            f"{decision.summary} ({meeting.title}, {date_format(meeting.held_on, 'j M Y')}; "
            f"{decision.get_status_display().lower()})"
        )


class YouSaidForm(forms.Form):
    you_said = forms.CharField(
        label="You said",
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What people told the hub, in the words they used.",
        error_messages={"required": "Say what people told the hub."},
    )
    themes = IdsChoiceField(
        label="Listening themes it comes from",
        queryset=selectors.themes_to_link(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The page shows how many conversations raised each: a count, never a name.",
    )
    we_did = forms.CharField(
        label="We did",
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what the hub did about it."},
    )
    campaigns = CampaignChoiceField(
        queryset=selectors.campaigns_to_link(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    events = EventChoiceField(
        queryset=selectors.events_to_link(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Events with a public page.",
        error_messages={"invalid_choice": "Only events with a public page can be shown."},
    )
    decisions = DecisionChoiceField(
        queryset=selectors.decisions_to_link(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Decisions of the hub's meetings and of groups with a public page. The "
        "page shows what was decided, where it stands and what came of it; never who sees "
        "it through.",
        error_messages={
            "invalid_choice": "Only decisions of the hub's meetings or of groups with a public "
            "page can be shown."
        },
    )
    result = forms.CharField(
        label="What came of it",
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    published = forms.BooleanField(
        label="Show it on the public page",
        required=False,
    )
    order = forms.IntegerField(
        label="Place in the order",
        min_value=0,
        max_value=32_767,
        initial=0,
        help_text="Lower numbers come first.",
        error_messages={"required": "Enter a place in the order, e.g. 0 for the top."},
    )

    @staticmethod
    def initial_of(line: YouSaidWeDid):
        return {
            "you_said": line.you_said,
            "we_did": line.we_did,
            "result": line.result,
            "published": line.published,
            "order": line.order,
            "themes": list(line.themes.values_list("pk", flat=True)),
            "campaigns": list(line.campaigns.values_list("pk", flat=True)),
            "events": list(line.events.values_list("pk", flat=True)),
            "decisions": list(line.decisions.values_list("pk", flat=True)),
        }
