"""Read queries of Action's asks (being built)."""


def campaign_page_context(campaign, viewer):
    """What the campaign's public page shows of this part."""
    return {}
