"""Contacts and their tokens: the address book, the Add-application-tokens rules, the contacts API, apps and mutes."""
