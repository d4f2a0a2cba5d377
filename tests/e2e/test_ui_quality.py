"""What a person notices besides the data: themes, a phone-sized screen, messages when the API
fails, and a graph of a few hundred nodes that settles quickly."""

from __future__ import annotations

import json

from playwright.sync_api import Page, Route, expect

from tests.e2e.explorer import OpenPage, expect_node_count, node, nodes, save_screenshot

GRAPH = "explore-graph"
PHONE = {"width": 375, "height": 740}


def background(page: Page) -> str:
    colour: str = page.evaluate("getComputedStyle(document.body).backgroundColor")
    return colour


def test_theme_follows_the_system_until_chosen_then_remembers_the_choice(open_page: OpenPage) -> None:
    page = open_page(color_scheme="dark")
    page.goto("/?name=The%20Persuader&type=artist")
    html = page.locator("html")
    expect(html).to_have_class("dark")
    toggle = page.locator("#theme-toggle")
    expect(toggle).to_have_attribute("aria-label", "Switch to light theme")
    dark_background = background(page)
    save_screenshot(page, "theme-dark-from-system")

    toggle.click()
    expect(html).not_to_have_class("dark")
    assert page.evaluate("localStorage.getItem('discogsography-theme')") == "light"
    assert background(page) != dark_background
    page.reload()
    # The system still prefers dark; the stored choice wins.
    expect(page.locator(f"#{GRAPH} [data-kind=center]")).to_be_visible()
    expect(html).not_to_have_class("dark")
    expect(toggle).to_have_attribute("aria-pressed", "false")

    light_page = open_page(color_scheme="light")
    light_page.goto("/")
    expect(light_page.locator("html")).not_to_have_class("dark")
    light_page.emulate_media(color_scheme="dark")
    # No stored choice in this context: a change of the system setting is followed live.
    expect(light_page.locator("html")).to_have_class("dark")


def test_phone_width_fits_without_sideways_scrolling(open_page: OpenPage) -> None:
    page = open_page(viewport=PHONE, has_touch=True)
    page.goto("/?name=The%20Persuader&type=artist")
    node(page, GRAPH, id="cat:releases").tap()
    expect_node_count(page, GRAPH, "entity", 3)
    for pane in ("trends", "path", "search", "genres", "explore"):
        page.locator(f"#tab-{pane}").click()
        expect(page.locator(f"#pane-{pane}")).to_be_visible()
        widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert widths[0] <= widths[1] == PHONE["width"], (pane, widths)

    graph_box = page.locator(f"#{GRAPH} svg").bounding_box()
    assert graph_box is not None
    assert graph_box["width"] <= PHONE["width"]
    node(page, GRAPH, label="Stockholm").tap()
    panel = page.locator("#inspector")
    expect(page.locator("#inspector-title")).to_have_text("Stockholm")
    # On a phone the details are a sheet along the bottom, the full width of the screen.
    box = panel.bounding_box()
    assert box is not None
    assert box["x"] == 0
    assert box["width"] == PHONE["width"]
    assert abs(box["y"] + box["height"] - PHONE["height"]) <= 1
    page.get_by_role("button", name="Close the details").tap()
    expect(panel).to_be_hidden()


def test_api_failures_and_unknown_names_are_explained(page: Page) -> None:
    def unavailable(route: Route) -> None:
        body = json.dumps({"error": "Store is down"})
        route.fulfill(status=503, content_type="application/json", body=body)

    page.route("**/api/explore?*", unavailable)
    page.goto("/?name=The%20Persuader&type=artist")
    alert = page.locator("#pane-explore > [role=alert] > span")
    expect(alert).to_have_text("Store is down")
    page.unroute("**/api/explore?*")

    page.route("**/api/autocomplete?*", lambda route: route.abort("connectionrefused"))
    page.locator("#explore-search").fill("Nobody")
    expect(page.locator("#explore-search-hint")).to_have_text("The server cannot be reached.")
    expect(page.locator("#explore-search-hint")).to_have_attribute("role", "alert")
    page.unroute("**/api/autocomplete?*")

    page.goto("/?name=Nobody%20At%20All&type=label")
    expect(alert).to_have_text("No label named “Nobody At All” in the graph.")
    expect(page.locator("#explore-empty")).to_be_visible()

    page.goto("/?pane=search")
    page.route("**/api/search?*", lambda route: route.fulfill(status=504, body="not json"))
    page.locator("#search-query").fill("love")
    timed_out = "The query took too long and was stopped."
    expect(page.locator("#pane-search > [role=alert]")).to_have_text(timed_out)


def test_a_few_hundred_nodes_settle_within_seconds(open_page: OpenPage) -> None:
    page = open_page(reduced_motion="no-preference")
    page.goto("/?name=Electronic&type=genre")
    # The keyboard opens categories and pages while the graph still moves (a click would wait for
    # the node to stand still).
    for category in ("releases", "artists", "labels", "styles"):
        page.locator(f'#{GRAPH} [data-id="cat:{category}"]').press("Enter")
        expect(page.locator(f'#{GRAPH} [data-id="more:{category}"]')).to_be_attached()
    for category in ("releases", "releases", "artists", "artists", "labels"):
        shown = len([n for n in nodes(page, GRAPH) if n.kind == "entity"])
        page.locator(f'#{GRAPH} [data-id="more:{category}"]').press("Enter")
        expect(page.locator(f"#{GRAPH} [data-kind=entity]")).to_have_count(shown + 30)
    assert len(nodes(page, GRAPH)) >= 250
    expect(page.locator(f"#{GRAPH} svg")).to_have_class("graph-svg has-sparse-labels")

    # From the last expansion on: how long until nothing moves, and how many frames were drawn.
    settled = page.evaluate(
        """() => new Promise(resolve => {
            const started = performance.now();
            let frames = 0;
            const count = () => { frames += 1; if (!done) requestAnimationFrame(count); };
            let done = false;
            requestAnimationFrame(count);
            const read = () => Array.from(document.querySelectorAll("#explore-graph .graph-node"),
                element => element.getAttribute("transform")).join("|");
            let last = read();
            const poll = setInterval(() => {
                const now = read();
                if (now === last) {
                    done = true;
                    clearInterval(poll);
                    const seconds = (performance.now() - started) / 1000;
                    resolve({ seconds, framesPerSecond: frames / seconds });
                }
                last = now;
            }, 400);
        })"""
    )
    print(
        f"graph of {len(nodes(page, GRAPH))} nodes: settled in {settled['seconds']:.1f} s, "
        f"{settled['framesPerSecond']:.0f} frames/s"
    )
    assert settled["seconds"] < 8, settled
    # The page keeps drawing while the layout runs: no tick blocks it for long.
    assert settled["framesPerSecond"] >= 15, settled
