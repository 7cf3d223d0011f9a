"""Importing monitor before polars keeps freed memory in the allocator for longer (see
monitor/__init__.py); a user's own setting is left alone."""

import os
import subprocess
import sys

import monitor

_SHOW = "import monitor, polars, os; print(os.environ['_RJEM_MALLOC_CONF'])"


def _allocator_setting(env: dict[str, str]) -> str:
    out = subprocess.run([sys.executable, "-c", _SHOW], env=env, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_monitor_setting_comes_after_polars_default_so_it_wins():
    env = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"}
    setting = _allocator_setting(env)
    # jemalloc takes the last value of a repeated option
    assert setting.endswith(monitor.ALLOCATOR_SETTING)


def test_user_setting_stands():
    env = dict(os.environ, _RJEM_MALLOC_CONF="dirty_decay_ms:0")
    assert _allocator_setting(env).endswith(",dirty_decay_ms:0")
