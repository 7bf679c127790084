"""Every command type reaches exactly the handler written for it."""

from typing import get_type_hints

import pytest

from isf_ledger.application.commands import COMMAND_TYPES
from isf_ledger.handlers import HANDLERS, by_command
from isf_ledger.handlers.people import register_person


def test_every_command_type_has_one_handler_taking_that_type():
    assert set(HANDLERS) == set(COMMAND_TYPES)
    for name, handler in HANDLERS.items():
        assert get_type_hints(handler)["cmd"] is COMMAND_TYPES[name]


def test_a_second_handler_for_the_same_command_is_refused():
    with pytest.raises(TypeError, match="two handlers for RegisterPerson"):
        by_command((register_person, register_person))
