"""One module per plant family; each registers itself with ``ecology.families.register``
(imported by ``families.families()``, so adding a family is adding a file here)."""
