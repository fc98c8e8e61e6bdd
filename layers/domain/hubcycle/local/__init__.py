"""The local system: moto in server mode as the embedded AWS, the three Chalice apps on their
ports, the storefront with the local mailbox, and a loop that fires due schedules. Imports moto;
never imported by the functions themselves."""
