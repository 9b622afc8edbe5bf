"""Running a site: health and readiness probes, access logs, metrics, `townsquare check`."""
