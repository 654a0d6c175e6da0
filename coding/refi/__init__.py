"""Exchange with other QDA tools: REFI-QDA projects (.qdpx) and codebooks (.qdc), and
Taguette's own .sqlite3 project files.

positions.py converts text positions at the boundary (code points, UTF-16 units, CRLF
counting, UTF-8 bytes) and normalises text with an offset map; archive.py is the gate
for .qdpx files; qde.py reads and writes the project XML (no ORM); export.py builds a
.qdpx from a project; importer.py stores a read project; codebook.py reads, writes and
applies .qdc codebooks; taguette.py reads Taguette projects.
"""
