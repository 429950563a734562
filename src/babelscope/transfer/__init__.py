"""Transfer planning: which language can help a target, by typology, by text, and by measurement."""
