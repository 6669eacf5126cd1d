"""What every change keeps right so that the services need not: the unit of work, the
audit trail, the derived theme tables, the code and theme trees, excerpt views."""
