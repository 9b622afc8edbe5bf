"""Running a site: backups and restores, and other work an operator does beside serving."""
