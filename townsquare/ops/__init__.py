"""Running a site: backups and restores, health and readiness probes, access logs,
metrics, ``townsquare check`` — the work an operator does beside serving."""
