"""Machinery for a million rows: integer columns with numpy, a plain CSV split into
fields, work on the second core, and inserts that bind a chunk of rows at once."""
