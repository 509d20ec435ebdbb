"""The template's small Markdown becomes the same blocks in HTML and Word, figures marked."""

from __future__ import annotations

import io

import docx

from dagster_project.evaluation import render

TEXT = """# Tiêu đề

Đoạn có **chữ đậm** và số [[S01:3.274]].

- Mục một [[S02:46%]]
- Mục hai

| Chỉ tiêu | Thực hiện |
|---|---|
| Công đoàn | [[S03:33]] |

![Biểu đồ](chart:attainment)
"""


def test_blocks_of_the_markdown_subset() -> None:
    blocks = render.parse(TEXT)
    assert [block.kind for block in blocks] == [
        "heading", "paragraph", "bullets", "table", "chart",
    ]  # fmt: skip
    assert blocks[3].items == [["Chỉ tiêu", "Thực hiện"], ["Công đoàn", "[[S03:33]]"]]
    assert render.plain_text(blocks[1].text) == "Đoạn có chữ đậm và số 3.274."


def test_html_marks_each_figure_with_its_id() -> None:
    body = render.to_html_body(render.parse(TEXT), {"attainment": "<svg></svg>"})
    assert '<span class="so-lieu" id="S01" data-figure="S01"' in body
    assert '>3.274</span><sup class="ma-so-lieu">S01</sup>' in body
    assert "<strong>chữ đậm</strong>" in body
    assert "<svg></svg>" in body


def test_word_keeps_numbers_apart_from_their_superscript_ids() -> None:
    document = render.to_docx(render.parse(TEXT), {}, "t")
    buffer = io.BytesIO()
    document.save(buffer)
    reread = docx.Document(io.BytesIO(buffer.getvalue()))
    runs = [(run.text, bool(run.font.superscript)) for p in reread.paragraphs for run in p.runs]
    assert ("3.274", False) in runs
    assert ("S01", True) in runs
    cells = [cell.text for row in reread.tables[0].rows for cell in row.cells]
    assert cells == ["Chỉ tiêu", "Thực hiện", "Công đoàn", "33S03"]


def test_preview_drops_markers_and_charts() -> None:
    preview = render.to_preview_markdown(TEXT)
    assert "3.274" in preview and "[[" not in preview and "chart:" not in preview


def test_ids_can_be_left_out_of_the_text() -> None:
    blocks = render.parse(TEXT)
    body = render.to_html_body(blocks, {}, show_ids=False)
    assert 'data-figure="S01"' in body and "ma-so-lieu" not in body
    document = render.to_docx(blocks, {}, "t", show_ids=False)
    assert not any(run.font.superscript for p in document.paragraphs for run in p.runs)
