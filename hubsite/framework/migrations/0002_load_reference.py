"""Load the Social Action Hub framework (Community Organisers) as reference data: the eight
areas with their practices, worded as on the framework card, each with a plain-language note,
and the four values."""

from django.db import migrations

AREAS = [
    (
        "change",
        "Change",
        "The change the hub exists to make: fairer, more caring, more democratic and greener "
        "places to live, and the evidence that it is happening.",
        [
            (
                "Challenge inequality and injustice",
                "Name the unfair things people face locally and work to end them, not only to soften them.",
            ),
            (
                "Develop new ways of living, organising society and caring for people",
                "Try out new ways of looking after each other and running things together.",
            ),
            (
                "Support more just economic systems",
                "Back local, fair ways of earning, spending and sharing: co-ops, community businesses, fair pay.",
            ),
            (
                "Create new democratic processes and institutions",
                "Give people real say over decisions, through new forums, assemblies and member votes.",
            ),
            (
                "Champion environmental sustainability",
                "Make the green choice the easy one for the hub and the neighbourhood.",
            ),
        ],
    ),
    (
        "action",
        "Action",
        "People acting together on what they care about: campaigns, stories told in their own "
        "words, community businesses and the activities they run themselves.",
        [
            (
                "Mobilise people to voice their story and stand up against injustice",
                "Help people speak up about what is wrong, and turn up together when it counts.",
            ),
            (
                "Support campaigns by activists and encourage solidarity",
                "Lend the hub's people, rooms and reach to campaigns, and link campaigns to each other.",
            ),
            (
                "Help to set up new community businesses and services that meet local need",
                "Turn a local need into a service or business that local people run.",
            ),
            (
                "Enable people to run community activities and events",
                "Make it easy for anyone to start a club, a clean-up or a street party.",
            ),
        ],
    ),
    (
        "strategy",
        "Strategy",
        "Knowing what the community has and what holds it back, and planning change with the "
        "people affected: assets, issues, plans, partnerships and power.",
        [
            (
                "Map local assets and resources",
                "Keep a map of the skills, groups, spaces and institutions the area already has.",
            ),
            (
                "Analyse local issues and develop solutions with people affected by them",
                "Work out the causes of a problem with those who live it, and their answers to it.",
            ),
            (
                "Co-create neighbourhood and project plans with people",
                "Write plans together with residents, not for them.",
            ),
            (
                "Co-produce new services with people and service producers",
                "Design services with the people who use them and the people who run them.",
            ),
            (
                "Develop local partnerships to make change happen",
                "Join forces with groups, services and businesses that share the goal.",
            ),
            (
                "Identify where power lies and how to challenge it to create change",
                "Know who decides, how much sway they have and where they stand.",
            ),
        ],
    ),
    (
        "leadership",
        "Leadership",
        "Growing local leaders: teaching organising, inviting people to step up, trusting "
        "their solutions and helping them hold decision makers to account.",
        [
            (
                "Teach people how to organise",
                "Run training and share the skills of organising so anyone can use them.",
            ),
            (
                "Challenge people to step forward into leadership and support them",
                "Ask people to take the next step, and stand by them when they do.",
            ),
            (
                "Trust people to develop their own solutions",
                "Let people lead on their own answers instead of handing them ours.",
            ),
            (
                "Help people tell their story and voice their issues (instead of speaking for them)",
                "Support people to speak for themselves, in their own words.",
            ),
            (
                "Encourage people to engage with democracy at all levels and hold decision makers "
                "(including yourselves) to account",
                "Help people meet, question and follow up with those who decide, the hub included.",
            ),
        ],
    ),
    (
        "reach",
        "Reach",
        "Who the community is and where: going beyond the building to people the hub does not "
        "yet meet, across every locality and community of interest.",
        [
            (
                "Understand who your community is and where they are",
                "Know the localities, their people and the communities of interest within them.",
            ),
            (
                "Go out beyond your building",
                "Knock on doors, hold stalls and turn up where people already are.",
            ),
            (
                "Engage people who don't use your services or facilities",
                "Seek out those the hub does not yet see, and find out why.",
            ),
            (
                "Work on a whole locality basis and with all communities of interest",
                "Cover whole places and every community in them, not just the easy-to-reach.",
            ),
        ],
    ),
    (
        "listening",
        "Listening",
        "Listening properly to the community: conversations that uncover what people care "
        "about, hope for, need and can offer, and that go beyond consultation.",
        [
            (
                "Listen to users, members, volunteers, and staff to discover assets, talents, and passions",
                "Ask what people are good at and love doing, and note what they would share.",
            ),
            (
                "Listen to users, members, volunteers, and staff to uncover concerns, aspirations, and needs",
                "Hear what worries people, what they hope for and what they need.",
            ),
            (
                "Listen to users, members, volunteers, and staff to encourage people to listen to each other",
                "Bring people together to hear one another, not just the hub.",
            ),
            (
                "Go beyond consultation to understanding, engagement, and deep listening",
                "Listen to understand and to act together, not to tick a box.",
            ),
        ],
    ),
    (
        "connect",
        "Connect",
        "Bringing people together: gatherings and events, safe spaces for hard conversations, "
        "volunteering, and a culture where people look after each other.",
        [
            (
                "Bring people together around the things they care about",
                "Start and grow groups around shared interests and concerns.",
            ),
            (
                "Offer a neutral, safe space and processes to hold difficult conversations",
                "Host hard conversations fairly, so everyone can speak and be heard.",
            ),
            (
                "Hold events and gatherings for people to meet each other – face-to-face and online",
                "Run gatherings, in person and online, where neighbours meet.",
            ),
            (
                "Enable people to use their skills and time for the community",
                "Match what people offer with what the community needs.",
            ),
            (
                "Foster a compassionate culture where people take care of each other",
                "Notice who is struggling and make caring for each other normal.",
            ),
        ],
    ),
    (
        "organise",
        "Organise",
        "A membership that can act: a hub accountable to its members, people organising "
        "themselves, brave conversations, and networks that work in partnership.",
        [
            (
                "Be accountable by being responsible, responsive and engaged as an organisation to "
                "members and the wider community",
                "Report back, answer to members and show what changed because they spoke.",
            ),
            (
                "Develop a mass membership or network of people who can be mobilised",
                "Grow a membership that will turn out when it matters.",
            ),
            (
                "Encourage people to self organise",
                "Help people start and run their own groups without waiting for the hub.",
            ),
            (
                "Create safe spaces for people to have meaningful and brave conversations about issues",
                "Make room for honest conversations about what really matters.",
            ),
            (
                "Convene networks and work in partnership with people, groups and activists",
                "Bring groups and activists together and work alongside them.",
            ),
        ],
    ),
]

VALUES = [
    (
        "participation",
        "Participation",
        "People take part in every decision and action that affects them, not only as users.",
    ),
    (
        "accountability",
        "Accountability",
        "The hub answers to its members and community, and helps them hold others to account.",
    ),
    (
        "reflection",
        "Reflection",
        "The hub stops regularly to look at what it does, what happened and why.",
    ),
    ("learning", "Learning", "What the hub learns changes what it does next, and is shared."),
]


def load(apps, schema_editor):
    Area = apps.get_model("framework", "Area")
    Practice = apps.get_model("framework", "Practice")
    Value = apps.get_model("framework", "Value")
    for order, (slug, name, purpose, practices) in enumerate(AREAS, start=1):
        area, _ = Area.objects.update_or_create(
            slug=slug, defaults={"name": name, "order": order, "purpose": purpose}
        )
        for number, (text, plain) in enumerate(practices, start=1):
            Practice.objects.update_or_create(
                area=area, order=number, defaults={"text": text, "plain": plain}
            )
    for order, (slug, name, description) in enumerate(VALUES, start=1):
        Value.objects.update_or_create(
            slug=slug, defaults={"name": name, "order": order, "description": description}
        )


def unload(apps, schema_editor):
    apps.get_model("framework", "Area").objects.all().delete()
    apps.get_model("framework", "Value").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("framework", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
