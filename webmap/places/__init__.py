"""Places as people write them -> typed territory codes (the gazetteer)."""
