"""The rendered template (a small Markdown) as blocks, then as HTML, Word and a plain preview.

The template writes headings ('# ', '## '), paragraphs, '- ' bullets, '| ... |' tables, '**bold**'
and '![caption](chart:name)' for a chart; a figure appears as [[S01:3.274]] so that the HTML and
the Word file can mark its id next to the number.
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass, field

_INLINE = re.compile(r"\*\*(.+?)\*\*|\[\[(S\d+):([^\]]*)\]\]")
_IMAGE = re.compile(r"^!\[(?P<alt>[^\]]*)\]\(chart:(?P<name>\w+)\)$")


@dataclass
class Block:
    kind: str  # heading, paragraph, bullets, table, chart
    level: int = 0
    text: str = ""
    items: list = field(default_factory=list)


def parse(markdown: str) -> list[Block]:
    blocks: list[Block] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(Block("paragraph", text=" ".join(paragraph)))
            paragraph.clear()

    for raw in markdown.splitlines():
        line = raw.strip()
        if not line:
            flush()
            continue
        if line.startswith("#"):
            flush()
            level = len(line) - len(line.lstrip("#"))
            blocks.append(Block("heading", level=level, text=line[level:].strip()))
        elif line.startswith("- "):
            flush()
            if not blocks or blocks[-1].kind != "bullets":
                blocks.append(Block("bullets"))
            blocks[-1].items.append(line[2:].strip())
        elif line.startswith("|"):
            flush()
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            if all(set(cell) <= {"-", ":"} and cell for cell in cells):
                continue  # the header separator
            if not blocks or blocks[-1].kind != "table":
                blocks.append(Block("table"))
            blocks[-1].items.append(cells)
        elif match := _IMAGE.match(line):
            flush()
            blocks.append(Block("chart", text=match["alt"], items=[match["name"]]))
        else:
            if blocks and blocks[-1].kind == "bullets" and not paragraph and raw[:1] == " ":
                blocks[-1].items[-1] += " " + line
            else:
                paragraph.append(line)
    flush()
    return blocks


def segments(text: str) -> list[tuple[str, bool, str | None]]:
    """(text, bold, figure id) runs of one line of inline markup."""
    out: list[tuple[str, bool, str | None]] = []
    position = 0
    for match in _INLINE.finditer(text):
        if match.start() > position:
            out.append((text[position : match.start()], False, None))
        if match.group(1) is not None:
            for inner, _, figure_id in segments(match.group(1)):
                out.append((inner, True, figure_id))
        else:
            out.append((match.group(3), False, match.group(2)))
        position = match.end()
    if position < len(text):
        out.append((text[position:], False, None))
    return out


def plain_text(text: str) -> str:
    return "".join(part for part, _, _ in segments(text))


# HTML ----------------------------------------------------------------------------------------
def _inline_html_ids(text: str, show_ids: bool = True) -> str:
    parts = []
    for part, bold, figure_id in segments(text):
        escaped = html.escape(part)
        if figure_id:
            escaped = (
                f'<span class="so-lieu" id="{figure_id}" data-figure="{figure_id}" '
                f'title="{figure_id}: xem tệp nguồn">{escaped}</span>'
            )
            if show_ids:
                escaped += f'<sup class="ma-so-lieu">{figure_id}</sup>'

        parts.append(f"<strong>{escaped}</strong>" if bold else escaped)
    return "".join(parts)


def to_html_body(blocks: list[Block], charts_svg: dict[str, str], show_ids: bool = True) -> str:
    def _inline_html(text: str) -> str:
        return _inline_html_ids(text, show_ids)

    out = []
    for block in blocks:
        if block.kind == "heading":
            out.append(f"<h{block.level}>{_inline_html(block.text)}</h{block.level}>")
        elif block.kind == "paragraph":
            out.append(f"<p>{_inline_html(block.text)}</p>")
        elif block.kind == "bullets":
            items = "".join(f"<li>{_inline_html(item)}</li>" for item in block.items)
            out.append(f"<ul>{items}</ul>")
        elif block.kind == "table":
            head, *body = block.items
            thead = "".join(f"<th>{_inline_html(cell)}</th>" for cell in head)
            rows = "".join(
                "<tr>" + "".join(f"<td>{_inline_html(cell)}</td>" for cell in row) + "</tr>"
                for row in body
            )
            out.append(f"<table><thead><tr>{thead}</tr></thead><tbody>{rows}</tbody></table>")
        elif block.kind == "chart":
            svg = charts_svg.get(block.items[0], "")
            out.append(
                f'<figure class="bieu-do">{svg}<figcaption>{html.escape(block.text)}'
                "</figcaption></figure>"
            )
    return "\n".join(out)


# Markdown preview (Dagster metadata) ----------------------------------------------------------
def to_preview_markdown(markdown: str) -> str:
    """The rendered text with figure markers reduced to their numbers (charts left out)."""
    lines = []
    for line in markdown.splitlines():
        if _IMAGE.match(line.strip()):
            continue
        lines.append(re.sub(r"\[\[(S\d+):([^\]]*)\]\]", r"\2", line))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


# Word -----------------------------------------------------------------------------------------
def _add_runs_ids(paragraph, text: str, show_ids: bool = True) -> None:
    from docx.shared import Pt, RGBColor

    for part, bold, figure_id in segments(text):
        run = paragraph.add_run(part)
        run.bold = bold or None
        if figure_id and show_ids:
            marker = paragraph.add_run(figure_id)
            marker.font.superscript = True
            marker.font.size = Pt(7)
            marker.font.color.rgb = RGBColor(0x80, 0x80, 0x80)


def to_docx(blocks: list[Block], charts_png: dict[str, bytes], title: str, show_ids: bool = True):
    import docx
    from docx.shared import Cm, Pt

    def _add_runs(paragraph, text: str) -> None:
        _add_runs_ids(paragraph, text, show_ids)

    style_ids: dict[str, str | None] = {}

    def styled(paragraph, name: str):
        """The paragraph in style `name`. python-docx finds a style by name, then checks it is
        not the default one, scanning every style each time (a third of the time this function
        took): the id it finds the first time is set directly on the later paragraphs."""
        if name in style_ids:
            paragraph._p.style = style_ids[name]
        else:
            paragraph.style = name
            style_ids[name] = paragraph._p.style
        return paragraph

    document = docx.Document()
    document.core_properties.title = title
    document.core_properties.language = "vi-VN"
    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(13)
    for block in blocks:
        if block.kind == "heading":
            heading = styled(document.add_paragraph(), f"Heading {min(block.level, 4)}")
            _add_runs(heading, block.text)
        elif block.kind == "paragraph":
            _add_runs(document.add_paragraph(), block.text)
        elif block.kind == "bullets":
            for item in block.items:
                _add_runs(styled(document.add_paragraph(), "List Bullet"), item)
        elif block.kind == "table":
            table = document.add_table(rows=len(block.items), cols=len(block.items[0]))
            table.style = "Table Grid"
            # Row by row: Table.cell(r, c) lays out the whole grid again at every call.
            for r, (row, table_row) in enumerate(zip(block.items, table.rows, strict=True)):
                for cell, table_cell in zip(row, table_row.cells, strict=True):
                    paragraph = table_cell.paragraphs[0]
                    _add_runs(paragraph, f"**{cell}**" if r == 0 and cell else cell)
        elif block.kind == "chart":
            png = charts_png.get(block.items[0])
            if png:
                document.add_picture(io.BytesIO(png), width=Cm(16))
            styled(document.add_paragraph(block.text), "Caption")
    return document
