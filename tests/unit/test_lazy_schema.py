"""Start-up maps only the tables it uses (issue #19): on a store already at head, and on an empty store once the
schema's DDL is cached, the server is built, answers a signed GetCallerIdentity and records it in CloudTrail without
mapping every service's tables, without the ORM at all (the audit writer's statements are plain SQL, and no rule or
trail wants the record), and without the other wire protocols' modules; the whole schema loads when something needs
it. On SQLite the answer needs no SQLAlchemy at all: the store opens, is found at head (or filled from the kept empty
store), is bootstrapped and finds the key on the driver alone; the audit writer loads SQLAlchemy afterwards."""

from __future__ import annotations

import json
import os
import subprocess
import sys

# A fresh interpreter: build the app on the store, answer one signed GetCallerIdentity through it, report which
# services' tables are mapped and which threads imported the ORM, then load the whole schema through the store and
# report again.
_PROBE = """
import asyncio, json, sys, threading

orm_importers = []

class WatchOrm:
    def find_spec(self, name, path=None, target=None):
        if name == 'sqlalchemy.orm':
            orm_importers.append(threading.current_thread().name)

sys.meta_path.insert(0, WatchOrm())
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from rootplane.core.config import ServerConfig
from rootplane.server import build_app

def mapped():
    return sorted(m.split('.')[2] for m in sys.modules if m.startswith('rootplane.services.') and m.endswith('.tables'))

app = build_app(ServerConfig(data_dir=sys.argv[1]))
deferred = ['rootplane.audit.eventbridge', 'rootplane.services.cloudtrail.repo',
            'rootplane.services.cloudtrail.delivery', 'rootplane.services.sts.assume_role',
            'rootplane.services.sts.assume_root']
built = sorted(name for name in deferred if name in sys.modules)
other_protocols = ['cbor2', *(f'rootplane.wire.protocols.{name}' for name in ('ec2', 'json', 'rest_json', 'rest_xml',
                                                                             'rpc_v2_cbor'))]
request = AWSRequest(method='POST', url='http://127.0.0.1:4566/', data=b'Action=GetCallerIdentity&Version=2011-06-15',
                     headers={'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8'})
SigV4Auth(Credentials('test', 'test'), 'sts', 'us-east-1').add_auth(request)
headers = [(k.lower().encode(), v.encode()) for k, v in request.headers.items()] + [(b'host', b'127.0.0.1:4566')]
scope = {'type': 'http', 'method': 'POST', 'path': '/', 'raw_path': b'/', 'query_string': b'', 'headers': headers,
         'client': ('127.0.0.1', 1), 'server': ('127.0.0.1', 4566), 'scheme': 'http', 'http_version': '1.1',
         'root_path': ''}
sent = []

async def call():
    messages = [{'type': 'http.request', 'body': request.body, 'more_body': False}]
    async def receive():
        return messages.pop(0) if messages else {'type': 'http.disconnect'}
    async def send(message):
        sent.append(message)
    await app(scope, receive, send)

asyncio.run(call())
sqlalchemy_answered = 'sqlalchemy' in sys.modules  # the audit writer gathers its first batch for 0.2 s first
protocols = sorted(name for name in other_protocols if name in sys.modules)
answered = mapped()
app.recorder.flush()
with app.gateway.store.connection(write=False) as connection:
    recorded = connection.exec_driver_sql('SELECT count(*) FROM cloudtrail_events').scalar()
orm = list(orm_importers)
app.gateway.store.metadata
print(json.dumps({'status': sent[0]['status'], 'built': built, 'protocols': protocols, 'answered': answered, 'orm': orm,
                  'recorded': recorded, 'schema': mapped(), 'sqlalchemy_answered': sqlalchemy_answered}))
"""


def _probe(data_dir, cache_dir) -> dict:
    env = {**os.environ, "ROOTPLANE_CACHE_DIR": str(cache_dir)}
    result = subprocess.run([sys.executable, "-c", _PROBE, str(data_dir)], capture_output=True, text=True, timeout=120,
                            env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


# Tables no part of a GetCallerIdentity answer (authentication, bootstrap, the audit writer) needs; Organizations,
# root access and sign-in were mapped by STS's AssumeRole/AssumeRoot modules, which now load with their first call.
UNUSED = {"kms", "logs", "mail", "organizations", "rootaccess", "s3", "signin", "sqs", "support"}


def test_the_first_signed_answer_maps_only_the_tables_it_needs(tmp_path):
    first = _probe(tmp_path / "one", tmp_path / "cache")  # nothing cached yet: the empty store is built from the model
    assert first["status"] == 200 and UNUSED <= set(first["answered"])
    restarted = _probe(tmp_path / "one", tmp_path / "cache")  # the store is at head now
    fresh = _probe(tmp_path / "two", tmp_path / "cache")  # an empty store, built from the cached DDL
    for probe in (first, restarted, fresh):  # the audit consumers and STS's other operations wait for first use
        assert probe["built"] == [], probe["built"]
        assert probe["protocols"] == [], probe["protocols"]  # a query-protocol answer loads no other protocol
    for probe in (restarted, fresh):
        assert probe["status"] == 200
        assert not UNUSED & set(probe["answered"]), probe["answered"]
        assert probe["recorded"] >= 1  # the call's record is written: in plain SQL, as no rule or trail wants it
        assert probe["orm"] == [], probe["orm"]  # neither the build, the answer nor its record loads it
        assert not probe["sqlalchemy_answered"]  # nor SQLAlchemy itself, before the answer
        assert probe["schema"] == first["schema"]  # the whole schema still loads when the store needs it


def test_each_services_tables_map_the_tables_their_foreign_keys_refer_to():
    """Tables map when their module is first imported, so a module whose foreign key names another service's table
    imports that service's tables: a flush (which sorts tables by their foreign keys) never meets an unknown one."""
    probe = (
        "import importlib, sys\n"
        "from rootplane.store.base import Base\n"
        "name = sys.argv[1]\n"
        "importlib.import_module(f'rootplane.services.{name}.tables')\n"
        "for table in Base.metadata.tables.values():\n"
        "    for key in table.foreign_keys:\n"
        "        key.column  # raises NoReferencedTableError for a table that is not mapped\n"
    )
    import pkgutil

    import rootplane.services as services

    names = [m.name for m in pkgutil.iter_modules(services.__path__)
             if m.ispkg and os.path.exists(os.path.join(services.__path__[0], m.name, "tables.py"))]
    assert len(names) >= 16
    for name in names:
        result = subprocess.run([sys.executable, "-c", probe, name], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, f"{name}: {result.stderr.strip().splitlines()[-1:]}"
