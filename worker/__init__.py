"""RQ job entry points and the cron registration (see README, "Production")."""
