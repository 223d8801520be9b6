"""The web layer: one blueprint per area; views validate, call a service, commit, redirect."""
