"""The operations a researcher performs. Each call is one unit of work that checks its
input, writes an Event for every change, and returns plain dataclasses."""
