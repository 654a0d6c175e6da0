"""Importing transcripts on the web: the upload page, its per-file JSON endpoint, and the
review step where each detected speaker becomes a participant or the interviewer.

The reading and storing itself is `interviews.uploads` and `interviews.services`
(shared with the `import_transcripts` command); this package holds the pages.
"""
