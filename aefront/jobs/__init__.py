"""Long work off the request: jobs with progress, cancel, errors, retry and downloads."""
