"""`make bench`: measures the speed targets of each feature and prints one table.

Each module in this package that defines `measure(options) -> list[Row]` adds rows.
The benchmark runs against a throwaway SQLite database (or DATABASE_URL if set).
"""
