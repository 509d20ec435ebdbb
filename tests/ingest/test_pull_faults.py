"""Faults of a pull, each against the real thing: a real HTTP server on 127.0.0.1 misbehaving,
real symbolic links in an inbox, real report files with names the registry refuses, a landing
object whose bytes changed. The bounds come from the environment (settings.PullLimits), set
small here so each test takes about a second."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from dagster_project.assets.ingestion import parse_pending
from dagster_project.ingest import Landing, load_registry, pull_all
from dagster_project.ingest.bundle import UnsafeMember, bundle_members
from dagster_project.ingest.refusals import refusals_path
from dagster_project.load_plan import build_inputs_fingerprint
from dagster_project.reports import DEMO_KEY
from dagster_project.reports.output import ParsedStore
from dagster_project.reports.readers import ParseLimits, read_report_file
from dagster_project.settings import PullLimits, load_settings, pull_limits
from tests.ingest.conftest import small_registry_document, write_registry

SAMPLE = Path(__file__).resolve().parents[2] / "sources" / "samples" / "reports" / "088"
SECRET = "TCD_PSEUDONYM_KEY=never-leaves-its-file"
NAME = "088_2024-H1.xlsx"


@pytest.fixture(autouse=True)
def small_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TCD_PULL_TIMEOUT_S", "3")
    monkeypatch.setenv("TCD_PULL_FILE_DEADLINE_S", "1")
    monkeypatch.setenv("TCD_PULL_DEADLINE_S", "30")
    monkeypatch.setenv("TCD_PULL_MAX_BYTES", str(256 * 1024))
    monkeypatch.setenv("TCD_PULL_RETRIES", "1")
    monkeypatch.setenv("TCD_PULL_BACKOFF_S", "0.01")


def report_bytes() -> bytes:
    """A whole zip, as every report file (xlsx or CSV bundle) is."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("TongHop.csv", "STT,Chỉ tiêu,Số lượng\n" * 200)
    return buffer.getvalue()


Route = Callable[[BaseHTTPRequestHandler], None]


@pytest.fixture
def portal() -> Iterator[Callable[[dict[str, Route]], str]]:
    """A real HTTP/1.0 server on 127.0.0.1 whose answers the test writes by hand."""
    servers: list[ThreadingHTTPServer] = []

    def start(routes: dict[str, Route]) -> str:
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                route = routes.get(self.path)
                # The pull may give up on an answer, as it should: the socket then closes.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    if route is None:
                        self.send_error(404)
                    else:
                        route(self)

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        servers.append(server)
        threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
        return f"http://127.0.0.1:{server.server_address[1]}/088/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def listing(*names: str) -> Route:
    body = json.dumps({"files": [{"name": name} for name in names]}).encode()

    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return answer


def body(data: bytes, *, length: int | None = None, pause_s: float = 0.0) -> Route:
    """`data` (one byte every `pause_s` when set), with a Content-Length header when given."""

    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        if length is not None:
            handler.send_header("Content-Length", str(length))
        handler.end_headers()
        if not pause_s:
            handler.wfile.write(data)
            return
        for index in range(len(data)):
            handler.wfile.write(data[index : index + 1])
            handler.wfile.flush()
            time.sleep(pause_s)

    return answer


def endless(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.end_headers()
    while True:
        handler.wfile.write(b"\0" * 65536)


def pull_from(tmp_path: Path, location: str):
    registry = load_registry(
        write_registry(tmp_path, small_registry_document(location_088=location))
    )
    return pull_all(registry, tmp_path / "home")


def nothing_landed(home: Path) -> bool:
    objects = home / "landing" / "objects"
    leftovers = [p for p in (home / "landing" / "tmp").rglob("*") if p.is_file()]
    return not Landing(home).entries() and not list(objects.rglob("*.*")) and not leftovers


def refused_rows(home: Path) -> list[dict]:
    return pq.read_table(refusals_path(home)).to_pylist()


# ---------------------------------------------------------------------------- limits


def test_the_pull_limits_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    limits = pull_limits()
    assert (limits.file_deadline_s, limits.max_bytes, limits.retries) == (1.0, 256 * 1024, 1)
    for name in ("TCD_PULL_FILE_DEADLINE_S", "TCD_PULL_MAX_BYTES", "TCD_PULL_RETRIES"):
        monkeypatch.delenv(name)
    assert pull_limits().file_deadline_s == PullLimits().file_deadline_s == 300.0
    assert pull_limits().max_bytes is None  # the parser's own limit then applies


def test_a_portal_trickling_one_byte_every_half_second_is_given_up_at_the_deadline(
    tmp_path: Path, portal
) -> None:
    data = report_bytes()
    location = portal(
        {
            "/088/index.json": listing(NAME),
            f"/088/{NAME}": body(data, length=len(data), pause_s=0.5),
        }
    )
    started = time.monotonic()
    result = pull_from(tmp_path, location)
    elapsed = time.monotonic() - started
    (rejection,) = result.rejected
    assert rejection.rule_code == "DQ_PULL_FAILED"
    assert "TCD_PULL_FILE_DEADLINE_S" in rejection.reason_en
    # Given up one second into a body that would take hours, not at its end.
    received = re.search(r"after (\d+) bytes", rejection.reason_en)
    assert received and 1 <= int(received[1]) <= 20, rejection.reason_en
    assert elapsed < 10
    assert nothing_landed(tmp_path / "home")


def test_an_endless_body_is_refused_at_the_size_cap(tmp_path: Path, portal) -> None:
    location = portal({"/088/index.json": listing(NAME), f"/088/{NAME}": endless})
    result = pull_from(tmp_path, location)
    (rejection,) = result.rejected
    assert rejection.rule_code == "DQ_FILE_TOO_LARGE"
    assert "TCD_PULL_MAX_BYTES" in rejection.reason_en
    assert 256 * 1024 < int(rejection.value) <= 256 * 1024 + 65536 * 2
    assert nothing_landed(tmp_path / "home")
    assert [row["rule_code"] for row in refused_rows(tmp_path / "home")] == ["DQ_FILE_TOO_LARGE"]


def test_a_declared_length_past_the_cap_is_refused_before_the_body_is_read(
    tmp_path: Path, portal
) -> None:
    location = portal({"/088/index.json": listing(NAME), f"/088/{NAME}": body(b"", length=10**12)})
    (rejection,) = pull_from(tmp_path, location).rejected
    assert (rejection.rule_code, rejection.value) == ("DQ_FILE_TOO_LARGE", str(10**12))
    assert nothing_landed(tmp_path / "home")


def test_a_body_cut_short_without_content_length_is_not_landed(tmp_path: Path, portal) -> None:
    data = report_bytes()
    location = portal(
        {"/088/index.json": listing(NAME), f"/088/{NAME}": body(data[: len(data) // 2])}
    )
    (rejection,) = pull_from(tmp_path, location).rejected
    assert rejection.rule_code == "DQ_PULL_FAILED"
    assert "Content-Length" in rejection.reason_en and "cut short" in rejection.reason_en
    assert nothing_landed(tmp_path / "home")


def test_a_chunked_body_cut_short_is_not_landed(tmp_path: Path, portal) -> None:
    data = report_bytes()

    def cut(handler: BaseHTTPRequestHandler) -> None:
        half = data[: len(data) // 2]
        handler.wfile.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        handler.wfile.write(b"%x\r\n" % len(data) + half)  # the chunk promised more
        handler.close_connection = True

    location = portal({"/088/index.json": listing(NAME), f"/088/{NAME}": cut})
    (rejection,) = pull_from(tmp_path, location).rejected
    assert rejection.rule_code == "DQ_PULL_FAILED" and "2 attempts" in rejection.reason_en
    assert "Error" not in rejection.message
    assert nothing_landed(tmp_path / "home")


def test_a_whole_body_without_content_length_is_landed(tmp_path: Path, portal) -> None:
    data = report_bytes()
    location = portal({"/088/index.json": listing(NAME), f"/088/{NAME}": body(data)})
    result = pull_from(tmp_path, location)
    assert not result.rejected
    (entry,) = result.landed
    assert entry.sha256 == hashlib.sha256(data).hexdigest()


def test_a_listing_answering_500_names_the_portal(tmp_path: Path, portal) -> None:
    def failing(handler: BaseHTTPRequestHandler) -> None:
        handler.send_error(500)

    location = portal({"/088/index.json": failing})
    (rejection,) = pull_from(tmp_path, location).rejected
    assert (rejection.file_name, rejection.source_uri) == ("", location)
    assert rejection.rule_code == "DQ_PULL_FAILED"
    assert "HTTP 500" in rejection.message and location in rejection.message
    assert "Error" not in rejection.message  # no Python exception class reaches an officer
    assert refused_rows(tmp_path / "home") == []  # a portal's fault is not a file's finding


def test_an_endless_listing_is_refused_at_the_size_cap(tmp_path: Path, portal) -> None:
    location = portal({"/088/index.json": endless})
    (rejection,) = pull_from(tmp_path, location).rejected
    assert (rejection.file_name, rejection.source_uri) == ("", location)
    assert "TCD_PULL_MAX_BYTES" in rejection.reason_en
    assert refused_rows(tmp_path / "home") == []  # the portal's fault, not a file's finding


def test_the_pull_deadline_leaves_the_remaining_locations_for_the_next_pull(
    tmp_path: Path, portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TCD_PULL_DEADLINE_S", "0")
    data = report_bytes()
    location = portal({"/088/index.json": listing(NAME), f"/088/{NAME}": body(data)})
    by_location = {r.source_uri: r for r in pull_from(tmp_path, location).rejected}
    assert "TCD_PULL_DEADLINE_S" in by_location[location].reason_en
    assert nothing_landed(tmp_path / "home")


# ---------------------------------------------------------------------------- links


def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "operator" / ".env"
    path.parent.mkdir()
    path.write_text(SECRET + "\n", encoding="utf-8")
    return path


def no_secret_under(home: Path) -> bool:
    return all(
        SECRET.encode() not in path.read_bytes() for path in home.rglob("*") if path.is_file()
    )


def test_a_bundle_member_linking_to_a_secret_is_refused_and_never_read(
    tmp_path: Path, small_registry
) -> None:
    bundle = tmp_path / "inbox" / "088_2024-H1"
    bundle.mkdir(parents=True)
    (bundle / "KetNap.csv").write_text("STT\n", encoding="utf-8")
    (bundle / "TongHop.csv").symlink_to(secret_file(tmp_path))
    home = tmp_path / "home"
    result = pull_all(small_registry, home, inbox=tmp_path / "inbox")
    (rejection,) = result.rejected
    assert (rejection.file_name, rejection.rule_code) == ("088_2024-H1", "DQ_UNSAFE_PATH")
    assert rejection.value == "TongHop.csv"
    assert nothing_landed(home)
    (row,) = refused_rows(home)
    assert (row["file_name"], row["unit_code"], row["period_code"]) == (
        "088_2024-H1",
        "088",
        "2024-H1",
    )
    assert no_secret_under(home)


def test_the_parser_refuses_a_linked_bundle_member_by_the_same_rule(tmp_path: Path) -> None:
    bundle = tmp_path / "088_2024-H1"
    bundle.mkdir()
    (bundle / "TongHop.csv").symlink_to(secret_file(tmp_path))
    with pytest.raises(UnsafeMember):
        bundle_members(bundle)
    book = read_report_file(bundle, ParseLimits())
    assert [f.rule_code for f in book.findings] == ["DQ_UNSAFE_PATH"]
    assert SECRET not in json.dumps([f.__dict__ for f in book.findings], default=str)


def test_a_linked_report_file_in_the_inbox_is_refused(tmp_path: Path, small_registry) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / NAME).symlink_to(SAMPLE / NAME)
    result = pull_all(small_registry, tmp_path / "home", inbox=inbox)
    assert [(r.file_name, r.rule_code) for r in result.rejected] == [(NAME, "DQ_UNSAFE_PATH")]
    assert nothing_landed(tmp_path / "home")


def test_a_linked_folder_in_the_inbox_is_not_followed(tmp_path: Path, small_registry) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / NAME).write_bytes((SAMPLE / NAME).read_bytes())
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "from_unit").symlink_to(outside, target_is_directory=True)
    result = pull_all(small_registry, tmp_path / "home", inbox=inbox)
    assert [(r.file_name, r.rule_code) for r in result.rejected] == [
        ("from_unit", "DQ_UNSAFE_PATH")
    ]
    assert nothing_landed(tmp_path / "home")


# ---------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("name", "unit", "period"),
    [
        ("088_2024-h1.xlsx", None, None),  # lower-case half
        ("999_2024-H1.xlsx", "999", "2024-H1"),  # unknown unit
        ("088_2025-H2.xlsx", "088", "2025-H2"),  # 088 was abolished on 2025-06-30
        ("088_2019-H1.xlsx", "088", "2019-H1"),  # before 088 existed
        ("10_2024-H1.xlsx", "10", "2024-H1"),  # a province: it does not send reports
        ("A" * 240 + "_2024-H1.xlsx", "A" * 240, "2024-H1"),
    ],
    ids=["lower_case_half", "unknown", "abolished", "before_life", "not_reporting", "long_code"],
)
def test_a_refused_name_is_recorded_once_for_dq_issues(
    tmp_path: Path, small_registry, name: str, unit: str | None, period: str | None
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / name).write_bytes((SAMPLE / NAME).read_bytes())
    home = tmp_path / "home"
    (rejection,) = pull_all(small_registry, home, inbox=inbox).rejected
    assert rejection.rule_code == "DQ_FILE_NAME" and rejection.value == name
    (row,) = refused_rows(home)
    assert (row["file_name"], row["unit_code"], row["period_code"]) == (name, unit, period)
    assert row["message_vi"] and row["message_en"] and row["message_vi"] != row["message_en"]
    written = refusals_path(home).stat().st_mtime_ns
    pull_all(small_registry, home, inbox=inbox)  # refused again: nothing new to record
    assert refusals_path(home).stat().st_mtime_ns == written
    assert nothing_landed(home)


def test_an_unreadable_refusal_record_is_started_afresh(tmp_path: Path, small_registry) -> None:
    home = tmp_path / "home"
    refusals_path(home).parent.mkdir(parents=True)
    refusals_path(home).write_bytes(b"PAR1 cut short")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "999_2024-H1.xlsx").write_bytes((SAMPLE / NAME).read_bytes())
    pull_all(small_registry, home, inbox=inbox)
    assert [row["file_name"] for row in refused_rows(home)] == ["999_2024-H1.xlsx"]


# ---------------------------------------------------------------------------- landing objects


def test_a_damaged_landing_object_is_not_parsed_again_and_its_rows_stay(tmp_path: Path) -> None:
    home = tmp_path / "home"
    landing = Landing(home)
    entry = landing.land_file(SAMPLE / NAME, source_uri=(SAMPLE / NAME).as_uri())
    assert entry is not None and landing.damage(entry) is None
    registry = load_registry()
    parsed = home / "parsed"
    parse_pending(landing, parsed, DEMO_KEY, registry.names_for, workers=1)
    store = ParsedStore(parsed)
    before = store.read("ket_nap", [entry.report_id], period_code="2024-H1").num_rows
    assert before > 0

    path = landing.path_of(entry)
    path.chmod(0o644)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))

    damaged: list[str] = []
    outcomes = parse_pending(
        landing, parsed, DEMO_KEY, registry.names_for, reparse=True, workers=1, damaged=damaged
    )
    assert outcomes == []
    (sentence,) = damaged
    assert entry.report_id in sentence and entry.landing_path in sentence
    assert " / " in sentence and "Error" not in sentence
    assert store.read("ket_nap", [entry.report_id], period_code="2024-H1").num_rows == before


def test_a_moved_home_is_a_new_build_input(tmp_path: Path) -> None:
    first = load_settings(tmp_path / "home")
    moved = load_settings(tmp_path / "O'Brien dữ liệu {1}")
    assert build_inputs_fingerprint(first) != build_inputs_fingerprint(moved)
