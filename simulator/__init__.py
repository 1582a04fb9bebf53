"""The interview: what is asked, when, and what the answers mean."""
