"""Sending: templates, deliveries through the simulated Telegram world, activity events."""
