"""The card: facts placed into the template, merged with a human's card."""
