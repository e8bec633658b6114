"""End-to-end tests: a real simulator and a real Home Assistant, as processes."""
