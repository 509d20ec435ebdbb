"""Paths and names: links leading outside the inbox, zip entries escaping their folder, and
file names the pull refuses (the registry's units and their lives).

Every case here is refused before a cell is read. A name or a link is refused by the pull itself:
the file is never landed, and its finding reaches `marts.dq_issues` through the pull's record
of refusals (file name, no report version). A zip is landed as bytes and refused by the parser.
"""

from __future__ import annotations

import shutil
import stat
import zipfile
from pathlib import Path

from tests.hostile.corpus import HostileCase

SECRET = "TCD_PSEUDONYM_KEY=corpus-secret-never-published"


def _secret(folder: Path) -> Path:
    """A file outside the inbox that a link may point at, as an operator's .env would be."""
    path = folder / "outside" / ".env"
    path.parent.mkdir(exist_ok=True)
    path.write_text(SECRET + "\n", encoding="utf-8")
    return path


def _bundle_member_links_to_secret(source: Path, folder: Path) -> Path:
    bundle = folder / source.stem
    bundle.mkdir()
    (bundle / "TongHop.csv").symlink_to(_secret(folder))
    return bundle


def _bundle_subfolder_links_outside(source: Path, folder: Path) -> Path:
    bundle = folder / source.stem
    bundle.mkdir()
    (bundle / "data").symlink_to(_secret(folder).parent, target_is_directory=True)
    return bundle


def _zip_with(source: Path, folder: Path, info: zipfile.ZipInfo, data: bytes) -> Path:
    target = folder / f"{source.stem}.zip"
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr("KetNap.csv", "STT,Họ và tên\n")
        archive.writestr(info, data)
    return target


def _zip_absolute_entry(source: Path, folder: Path) -> Path:
    return _zip_with(source, folder, zipfile.ZipInfo("/etc/TongHop.csv"), b"STT,Chi tieu\n")


def _zip_dotdot_entry(source: Path, folder: Path) -> Path:
    return _zip_with(source, folder, zipfile.ZipInfo("../../TongHop.csv"), b"STT,Chi tieu\n")


def _zip_symlink_entry(source: Path, folder: Path) -> Path:
    info = zipfile.ZipInfo("TongHop.csv")
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return _zip_with(source, folder, info, b"/work/.env")


def _xlsx_with_dotdot_member(source: Path, folder: Path) -> Path:
    target = folder / source.name
    shutil.copyfile(source, target)
    with zipfile.ZipFile(target, "a") as archive:
        archive.writestr("../../customXml/item1.xml", "<x/>")
    return target


def _renamed(name: str):
    def build(source: Path, folder: Path) -> Path:
        target = folder / name.format(unit=source.stem.rpartition("_")[0])
        shutil.copyfile(source, target)
        return target

    return build


def _lower_case_half(source: Path, folder: Path) -> Path:
    target = folder / f"{source.stem.replace('-H', '-h')}.xlsx"
    shutil.copyfile(source, target)
    return target


def _name_case(name: str, build) -> HostileCase:
    # `tcd validate` refuses a name with exit 2 (a usage problem: the file is not a report of
    # any unit); the load's pull refuses it and dq_issues holds DQ_FILE_NAME for the file name.
    return HostileCase(name, build, ("DQ_FILE_NAME",), validate_exit=2)


CASES = [
    HostileCase(
        "bundle_member_links_to_a_secret", _bundle_member_links_to_secret, ("DQ_UNSAFE_PATH",)
    ),
    HostileCase(
        "bundle_subfolder_links_outside", _bundle_subfolder_links_outside, ("DQ_UNSAFE_PATH",)
    ),
    HostileCase("zip_entry_with_absolute_path", _zip_absolute_entry, ("DQ_UNSAFE_PATH",)),
    HostileCase("zip_entry_with_dotdot_path", _zip_dotdot_entry, ("DQ_UNSAFE_PATH",)),
    HostileCase("zip_entry_that_is_a_symlink", _zip_symlink_entry, ("DQ_UNSAFE_PATH",)),
    HostileCase("xlsx_member_with_dotdot_path", _xlsx_with_dotdot_member, ("DQ_UNSAFE_PATH",)),
    _name_case("name_with_lower_case_half", _lower_case_half),
    _name_case("name_of_an_unknown_unit", _renamed("ZZ9_2024-H1.xlsx")),
    _name_case("name_of_a_unit_abolished_in_2025", _renamed("080_2025-H2.xlsx")),
    _name_case("name_of_a_period_before_the_history", _renamed("{unit}_2010-H1.xlsx")),
    _name_case("name_of_a_unit_that_does_not_report", _renamed("10_2024-H1.xlsx")),
    _name_case("name_with_a_240_character_unit_code", _renamed("A" * 240 + "_2024-H1.xlsx")),
]
