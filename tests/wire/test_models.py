"""The served models: botocore's, without documentation, loaded per service, through a cache that survives damage."""

from __future__ import annotations

import pytest
from botocore.loaders import Loader

from rootplane.wire import models
from rootplane.wire.model_cache import ModelCache
from rootplane.wire.models import SERVICES, TARGET_PREFIXES, compact, service_for_signing_name, service_model

_LOADER = Loader()


def _without_documentation(value):
    if isinstance(value, dict):
        return {key: _without_documentation(item) for key, item in value.items()
                if key not in ("documentation", "documentationUrl")}
    if isinstance(value, list):
        return [_without_documentation(item) for item in value]
    return value


@pytest.mark.parametrize("service", [*SERVICES, "rds"])  # rds: its sdk-extras add members
def test_a_compact_model_is_botocores_model_without_its_documentation(service):
    assert compact(models._read_botocore(service)) == _without_documentation(
        _LOADER.load_service_model(service, "service-2"))


def test_every_credential_scope_name_maps_to_its_service_without_loading_a_model():
    models.service_model.cache_clear()
    assert service_for_signing_name("monitoring") == "cloudwatch"
    assert service_for_signing_name("tagging") == "resourcegroupstaggingapi"
    assert service_for_signing_name("dynamodb") is None
    assert models.service_model.cache_info().currsize == 0
    for service in SERVICES:
        assert service_for_signing_name(service_model(service).signing_name) == service
        assert service_for_signing_name(service_model(service).endpoint_prefix) == service


def test_the_target_prefix_table_is_the_models():
    assert TARGET_PREFIXES == {service_model(service).metadata["targetPrefix"]: service for service in SERVICES
                               if "targetPrefix" in service_model(service).metadata}


def _counting_derive(calls: list[str]):
    def derive(name: str) -> dict:
        calls.append(name)
        return compact(models._read_botocore(name))
    return derive


def test_a_cached_model_is_read_back_without_deriving_it_again(tmp_path):
    calls: list[str] = []
    first = ModelCache(tmp_path).load("sts", _counting_derive(calls))
    again = ModelCache(tmp_path).load("sts", _counting_derive(calls))
    assert calls == ["sts"] and again == first
    assert oct((tmp_path / "sts.json").stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize("damage", [
    lambda content: content[: len(content) // 2],                      # truncated (a crash mid-write elsewhere)
    lambda content: content.replace(b'"sts"', b'"stz"', 1),             # altered after the digest was taken
    lambda content: b"not a digest\n{}",
    lambda content: b"",
])
def test_a_damaged_cache_file_is_derived_again_and_rewritten(tmp_path, damage):
    calls: list[str] = []
    expected = ModelCache(tmp_path).load("sts", _counting_derive(calls))
    path = tmp_path / "sts.json"
    path.write_bytes(damage(path.read_bytes()))
    assert ModelCache(tmp_path).load("sts", _counting_derive(calls)) == expected
    assert calls == ["sts", "sts"]
    assert ModelCache(tmp_path).load("sts", _counting_derive(calls)) == expected and len(calls) == 2  # repaired


def test_a_cache_directory_that_cannot_be_written_only_means_no_cache(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("a file where the directory should be")
    calls: list[str] = []
    assert ModelCache(blocked / "models").load("sts", _counting_derive(calls))["metadata"]["serviceId"] == "STS"
    assert ModelCache(None).load("sts", _counting_derive(calls))["metadata"]["serviceId"] == "STS"
    assert calls == ["sts", "sts"]
