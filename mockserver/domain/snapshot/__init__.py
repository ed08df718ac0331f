"""The world as one JSON document and back, checked part by part before anything changes."""
