"""axe-core in the browser tests: run it on the page a test is on and fail on every serious
or critical violation, each named with its rule, impact, help and the elements it found.

axe-core is a development dependency (package.json's devDependencies, installed by
``npm ci`` in scripts/vendor-assets); it is read from node_modules and evaluated in the
page by Playwright, never copied to the static files nor served to anyone. The pages'
Content-Security-Policy allows no inline script, and Playwright's ``evaluate`` is not
subject to it, so that is how it goes in (``add_script_tag(content=...)`` would be refused).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[3]
AXE_SOURCE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# The impacts a page may not have; "moderate" and "minor" are reported by axe but are
# best-practice advice, not barriers.
BLOCKING = ("serious", "critical")
# Every rule axe runs by default (WCAG 2.0–2.2 A and AA, and its best practices); none is
# disabled. Landmarks and headings are best-practice rules of "moderate" impact, so they
# do not fail a page here but are listed by `violations` for anyone who asks.
RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary}))
  }));
}"""


@cache
def axe_source() -> str:
    if not AXE_SOURCE.exists():
        pytest.fail(
            f"axe-core is missing ({AXE_SOURCE}): run scripts/vendor-assets "
            "(npm ci installs it from package-lock.json's devDependencies)"
        )
    return AXE_SOURCE.read_text(encoding="utf-8")


def violations(page: Page) -> list[dict[str, Any]]:
    """Every violation axe finds on the page as it is now (all impacts)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    found: list[dict[str, Any]] = page.evaluate(RUN)
    return found


def describe(found: list[dict[str, Any]]) -> str:
    lines = []
    for v in found:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"][:10]:
            summary = " ".join(str(node["summary"] or "").split())
            lines.append(f"    {node['target']}: {summary[:300]}")
        if len(v["nodes"]) > 10:
            lines.append(f"    … and {len(v['nodes']) - 10} more elements")
    return "\n".join(lines)


def assert_accessible(page: Page, what: str) -> None:
    """Fail listing every serious or critical violation on the page."""
    blocking = [v for v in violations(page) if v["impact"] in BLOCKING]
    assert not blocking, f"axe on {what} ({page.url}):\n{describe(blocking)}"
