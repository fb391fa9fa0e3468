"""Read queries of Action, one module per part: campaigns and sign-ups, asks,
stories, activities, updates."""
