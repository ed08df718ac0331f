"""mockserver: an over-the-wire emulator of the eSputnik Telegram-bot channel."""

from .app import Emulator, create_app
from .domain.world import World
from .scenario import load_scenario

__all__ = ["Emulator", "World", "create_app", "load_scenario"]
__version__ = "0.1.0"
