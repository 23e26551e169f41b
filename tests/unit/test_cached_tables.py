"""Every table a process cache reads is watched from the server's start (services/cached_tables.py), before the
module holding the cache loads: otherwise a process that never served AssumeRoot would not tell the others that it
disabled trusted access, and their cached eligibility would still let AssumeRoot through until it expired."""

import subprocess
import sys

PROGRAM = """
import importlib, pkgutil
import rootplane.services
import rootplane.services.cached_tables
from rootplane.store import changes
before = set(changes._WATCHED)
for module in pkgutil.walk_packages(rootplane.services.__path__, "rootplane.services."):
    importlib.import_module(module.name)
missing = sorted(set(changes._WATCHED) - before)
assert not missing, f"cached but not listed in services/cached_tables.py: {missing}"
"""


def test_every_cached_table_is_watched_before_its_cache_loads():
    done = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


def test_the_server_watches_them_from_its_start(tmp_path):
    program = ("from rootplane import server\nfrom rootplane.store import changes\n"
               "assert not changes._WATCHED\n"
               "from rootplane.core.config import ServerConfig\n"
               f"server.build_gateway(ServerConfig(data_dir={str(tmp_path)!r}))\n"
               "from rootplane.services.cached_tables import CACHED_TABLES\n"
               "assert CACHED_TABLES <= changes._WATCHED, sorted(CACHED_TABLES - changes._WATCHED)\n"
               "import sys\nassert 'rootplane.services.sts.assume_root' not in sys.modules\n")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
