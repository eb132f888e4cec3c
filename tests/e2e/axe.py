"""axe-core in the browser tests: inject it into a page and assert no serious or critical
violation (issue 14 item 6).

axe-core comes from the npm registry, pinned by version and checksum, fetched by
`make test` (`make axe`) into var/vendor/axe-core-<version>/ (git-ignored); never a CDN.
The Makefile passes its path as AXE_JS; without it, the newest version fetched is used.
The portal's policy (script-src 'self') refuses inline scripts, so the source is run with
page.evaluate, which goes through the DevTools protocol, not through the page's policy.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BLOCKING = ("serious", "critical")


@cache
def axe_source() -> str:
    configured = os.environ.get("AXE_JS")
    if configured:
        path = Path(configured)
        path = path if path.is_absolute() else ROOT / path
    else:
        found = sorted((ROOT / "var" / "vendor").glob("axe-core-*/axe.min.js"))
        path = found[-1] if found else None
    if path is None or not path.is_file():
        pytest.fail(
            f"axe-core is not there ({path or 'var/vendor/axe-core-*/axe.min.js'}): "
            "run `make axe` (npm fetches the pinned version), or `make test`.",
            pytrace=False,
        )
    return path.read_text(encoding="utf-8")


def axe_violations(
    page, *, impacts: tuple[str, ...] = BLOCKING, within: str | None = None
) -> list[dict]:
    """The page's axe violations of those impacts: rule id, impact, help and the nodes
    (selector, HTML, what to fix). `within`: a CSS selector to check one section only."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    results = page.evaluate(
        """async (within) => {
            const results = await axe.run(within || document, {resultTypes: ['violations']});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({
                    target: n.target.join(' '), html: n.html, summary: n.failureSummary,
                })),
            }));
        }""",
        within,
    )
    return [violation for violation in results if violation["impact"] in impacts]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            summary = " ".join((node["summary"] or "").split())
            lines.append(f"    {node['target']}  {node['html'][:160]}  -- {summary[:300]}")
    return "\n".join(lines)


def assert_accessible(page, where: str) -> None:
    """No serious or critical axe violation on the page as it is now."""
    violations = axe_violations(page)
    assert violations == [], f"axe on {where}:\n{describe(violations)}"
