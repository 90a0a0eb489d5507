"""Pipeline loading and pre-annotation with spaCy."""
