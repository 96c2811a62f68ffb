"""Connected in apps.py."""
