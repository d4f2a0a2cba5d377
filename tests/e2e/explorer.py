"""How the browser tests drive and read the explorer: the combobox by keyboard, the graph's nodes."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

REPOSITORY = Path(__file__).resolve().parents[2]

OpenPage = Callable[..., Page]
"""The `open_page` fixture: opens a page in a browser context of its own (keyword arguments go to
`Browser.new_context`)."""


@dataclass(frozen=True)
class Node:
    """One node of a graph as the page draws it."""

    id: str
    kind: str
    """center, category, more or entity."""
    type: str | None
    label: str
    classes: str


def pick(page: Page, combobox_id: str, text: str, choice: str) -> None:
    """Types `text` into a combobox, walks its suggestions with the arrow keys to `choice` and
    presses Enter, checking the ARIA state on the way."""
    box = page.locator(f"#{combobox_id}")
    box.fill(text)
    listbox = page.locator(f"#{combobox_id}-listbox")
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    options = listbox.locator("li[role=option]:not([aria-disabled])")
    expect(options.first).to_be_visible()
    names = [name.strip() for name in options.all_inner_texts()]
    assert choice in names, f"{choice!r} not among the suggestions {names}"
    for _ in range(names.index(choice)):
        box.press("ArrowDown")
    active = f"{combobox_id}-option-{names.index(choice)}"
    expect(box).to_have_attribute("aria-activedescendant", active)
    expect(page.locator(f"#{active}")).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    expect(listbox).to_be_hidden()
    expect(box).to_have_value(choice)


def nodes(page: Page, graph_id: str) -> list[Node]:
    """Every node drawn in the graph box `graph_id`, in drawing order."""
    found = page.locator(f"#{graph_id} .graph-node").evaluate_all(
        """elements => elements.map(element => ({
            id: element.dataset.id, kind: element.dataset.kind, type: element.dataset.type ?? null,
            label: element.dataset.label, classes: element.getAttribute("class")}))"""
    )
    return [Node(**item) for item in found]


def labels(page: Page, graph_id: str, kind: str) -> list[str]:
    return [node.label for node in nodes(page, graph_id) if node.kind == kind]


def node(page: Page, graph_id: str, **attributes: str) -> Locator:
    """The circle of the node with these data attributes (what a click should land on)."""
    selector = "".join(f'[data-{name}="{value}"]' for name, value in attributes.items())
    return page.locator(f"#{graph_id} .graph-node{selector} circle")


def expect_node_count(page: Page, graph_id: str, kind: str, count: int) -> None:
    expect(page.locator(f"#{graph_id} .graph-node[data-kind={kind}]")).to_have_count(count)


def output_dir() -> Path:
    """Where the screenshots go (`test-output/e2e/`, or E2E_OUTPUT_DIR): one PNG per test and page."""
    folder = Path(os.environ.get("E2E_OUTPUT_DIR", REPOSITORY / "test-output" / "e2e"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save_screenshot(page: Page, name: str) -> Path:
    """Saves what the page shows now as `<output>/<name>.png`, overwriting the last run's."""
    path = output_dir() / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.png"
    if not page.is_closed():
        page.screenshot(path=str(path), full_page=True)
    return path
