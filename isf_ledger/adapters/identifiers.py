"""Caller-chosen identifiers: 1-64 characters of `A-Za-z0-9._:-` (the contract)."""

import re

ID_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
