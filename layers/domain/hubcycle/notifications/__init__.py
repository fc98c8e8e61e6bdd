"""The emails hubcycle sends, rendered from domain objects into OutgoingEmail (text and HTML)."""
