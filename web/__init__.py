"""bahth's web front end (Flask)."""
