"""The unit registry: the shipped file, validation errors, and units across the 2025 reform."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path

import pytest

from dagster_project.ingest import RegistryError, load_registry
from tests.ingest.conftest import small_registry_document, write_registry


def load_with(tmp_path: Path, change) -> RegistryError:  # type: ignore[no-untyped-def]
    document = copy.deepcopy(small_registry_document())
    change(document)
    with pytest.raises(RegistryError) as caught:
        load_registry(write_registry(tmp_path, document))
    return caught.value


def unit(document: dict, code: str) -> dict:
    return next(u for u in document["units"] if u["code"] == code)


def problem_fields(error: RegistryError) -> set[tuple[str, str]]:
    return {(p.unit_code, p.field) for p in error.problems}


def test_shipped_registry_lists_lao_cai_districts_blocs_and_the_2025_units() -> None:
    registry = load_registry()
    districts = {"080", "082", "083", "084", "085", "086", "087", "088", "089"}
    assert districts <= set(registry.codes)
    assert {"10", "15", "37", "10-CQDN", "10-KKT", "37-CQDN", "LC-2025"} <= set(registry.codes)
    assert all(registry.get(code).successor_code for code in districts)
    assert not registry.get("10").reports
    assert registry.get("LC-2025-SAPA").parent_code == "LC-2025"


def test_shipped_registry_resolves_relative_file_locations_against_its_folder() -> None:
    registry = load_registry()
    sources = Path(registry.source).resolve().parent
    assert registry.get("088").location == (sources / "samples/reports/088").as_uri() + "/"


def test_registry_env_variable_overrides_default_path(tmp_path: Path, monkeypatch) -> None:
    path = write_registry(tmp_path, small_registry_document())
    monkeypatch.setenv("TCD_REGISTRY", str(path))
    assert load_registry().codes == ["088", "089", "10", "LC-2025-SAPA"]


def test_expected_reporters_switch_from_districts_to_communes_at_the_reform() -> None:
    registry = load_registry()
    before = {u.code for u in registry.expected_reporters("2025-H1")}
    after = {u.code for u in registry.expected_reporters("2025-H2")}
    assert {"088", "080", "10-CQDN", "10-KKT", "37-CQDN"} <= before
    assert not any(code.startswith("LC-2025") for code in before)
    assert {"LC-2025-SAPA", "LC-2025-LAOCAI", "37-CQDN"} <= after
    assert "088" not in after and "10-CQDN" not in after
    assert not {"10", "15", "37", "LC-2025"} & (before | after)


def test_expected_reporters_return_the_version_valid_in_the_period() -> None:
    registry = load_registry()
    in_2019 = next(u for u in registry.expected_reporters("2019-H2") if u.code == "088")
    in_2024 = next(u for u in registry.expected_reporters("2024-H1") if u.code == "088")
    assert (in_2019.name, in_2019.kind) == ("Huyện Sa Pa", "district")
    assert (in_2024.name, in_2024.kind) == ("Thị xã Sa Pa", "town")


def test_get_by_date_picks_the_version_valid_that_day() -> None:
    registry = load_registry()
    assert registry.get("088", on=date(2019, 6, 1)).name == "Huyện Sa Pa"
    assert registry.get("088", on=date(2025, 7, 1)) is None
    assert registry.get("088").name == "Thị xã Sa Pa"


def test_names_for_include_title_spellings_of_every_version() -> None:
    names = load_registry().names_for("088")
    expected = {"Thị xã Sa Pa", "TX Sa Pa", "Sa Pa", "ĐẢNG BỘ THỊ XÃ SA PA", "Huyện Sa Pa"}
    assert expected <= set(names)
    assert names[0] == "Huyện Sa Pa"


def test_duplicate_code_is_refused(tmp_path: Path) -> None:
    error = load_with(tmp_path, lambda d: d["units"].append(copy.deepcopy(unit(d, "089"))))
    assert ("089", "code") in problem_fields(error)
    assert "trùng" in str(error) and "duplicate" in str(error)


def test_unknown_parent_is_refused(tmp_path: Path) -> None:
    error = load_with(tmp_path, lambda d: unit(d, "089").update(parent_code="99"))
    assert ("089", "parent_code") in problem_fields(error)
    assert "'99'" in str(error)


def test_unknown_successor_is_refused(tmp_path: Path) -> None:
    error = load_with(tmp_path, lambda d: unit(d, "088").update(successor_code="LC-9999"))
    assert ("088", "successor_code") in problem_fields(error)


def test_abolished_unit_without_successor_is_refused(tmp_path: Path) -> None:
    error = load_with(tmp_path, lambda d: unit(d, "088").pop("successor_code"))
    assert ("088", "successor_code") in problem_fields(error)


def test_valid_from_after_valid_to_is_refused(tmp_path: Path) -> None:
    error = load_with(tmp_path, lambda d: unit(d, "089").update(valid_to="2014-12-31"))
    assert ("089", "valid_from") in problem_fields(error)
    assert "2015-01-01" in str(error)


def test_overlapping_versions_of_one_code_are_refused(tmp_path: Path) -> None:
    def two_versions(document: dict) -> None:
        sapa = unit(document, "088")
        sapa["versions"] = [
            {
                "name": "Huyện Sa Pa",
                "kind": "district",
                "valid_from": "2015-01-01",
                "valid_to": "2020-06-30",
            },
            {
                "name": "Thị xã Sa Pa",
                "kind": "town",
                "valid_from": "2020-01-01",
                "valid_to": "2025-06-30",
            },
        ]

    error = load_with(tmp_path, two_versions)
    assert ("088", "valid_from") in problem_fields(error)
    assert "overlap" in str(error)


@pytest.mark.parametrize(
    "location",
    ["ftpx://portal/088/", "http:///088/", "file:reports/Sa Pa/", "https://host:port/", "088/"],
)
def test_bad_location_uri_is_refused(tmp_path: Path, location: str) -> None:
    error = load_with(tmp_path, lambda d: unit(d, "088").update(location=location))
    assert ("088", "location") in problem_fields(error)


def test_unknown_kind_and_unquoted_code_are_refused(tmp_path: Path) -> None:
    def change(document: dict) -> None:
        unit(document, "089")["kind"] = "county"
        document["units"].append({**unit(document, "089"), "code": 90, "kind": "district"})

    error = load_with(tmp_path, change)
    assert ("089", "kind") in problem_fields(error)
    assert ("#5", "code") in problem_fields(error)


def test_same_name_for_two_units_at_the_same_time_is_refused(tmp_path: Path) -> None:
    error = load_with(tmp_path, lambda d: unit(d, "089").update(aliases=["tx sa pa"]))
    assert {p.field for p in error.problems} == {"aliases"}
