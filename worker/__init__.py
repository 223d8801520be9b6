"""The RQ runtime (a worker class that builds the app once) and the cron table of registered job names."""
