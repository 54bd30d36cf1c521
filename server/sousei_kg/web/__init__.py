"""Pages for people: HTML rendering, page data, diagrams, templates and static files."""
