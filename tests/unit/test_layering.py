"""Imports flow downward: the store knows no service (the composition root hands it the schema)."""

import subprocess
import sys

STORE_MODULES = ["rootplane.store", "rootplane.store.base", "rootplane.store.create", "rootplane.store.engine",
                 "rootplane.store.migrate", "rootplane.store.paging", "rootplane.store.snapshot"]


def test_importing_the_store_imports_no_service_and_nothing_above_it():
    """A fresh interpreter imports every store module; no rootplane module outside store/ and core/ is loaded."""
    probe = (
        "import importlib, sys\n"
        f"for name in {STORE_MODULES!r}: importlib.import_module(name)\n"
        "print('\\n'.join(sorted(m for m in sys.modules if m.startswith('rootplane.'))))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True).stdout.split()
    above = [name for name in loaded if not name.startswith(("rootplane.store", "rootplane.core"))]
    assert above == [], f"store/ imports modules above it: {above}"


def test_the_store_sources_import_nothing_above_them():
    """Lazy imports inside functions count too: every import of a store source (migrations included) stays in
    store/ and core/."""
    import re
    from pathlib import Path

    import rootplane.store

    upward = re.compile(r"^\s*(?:from|import)\s+rootplane\.(?!store\b|core\b)", re.MULTILINE)
    root = Path(rootplane.store.__file__).parent
    offenders = [str(path.relative_to(root)) for path in root.rglob("*.py") if upward.search(path.read_text())]
    assert offenders == []
