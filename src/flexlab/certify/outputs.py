"""The five outputs of a certification run, all rendered from the same CertifyRun:
summary.json (machines), report.md and report.html (people), junit.xml (CI), failover.png.

Figures are written with :func:`fmt` everywhere (3 decimals, "-" when absent) so every
output shows the same numbers.
"""

from __future__ import annotations

import socket
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from flexlab.certify.charts import FailoverBar, failover_figure, png_data_uri, save_png
from flexlab.results.certify import CertifyRun, Check, RowResult

TEMPLATES = Path(__file__).resolve().parent / "templates"
SUMMARY, REPORT_MD, REPORT_HTML, JUNIT, FAILOVER_PNG = (
    "summary.json", "report.md", "report.html", "junit.xml", "failover.png",
)
#: Columns of the summary table (report.md and report.html): key -> header.
SUMMARY_COLUMNS: dict[str, str] = {
    "name": "row", "image": "image", "version": "version", "verdict": "verdict",
    "failover_median": "failover median s", "failover_p95": "failover p95 s", "failover_max": "failover max s",
    "bound": "DPD bound s", "bgp_median": "BGP converged median s", "outage_max": "data-plane outage max s",
    "failed_checks": "failed checks",
}
_JUNIT_TAG = {"failed": "failure", "errored": "error", "skipped": "skipped"}


@dataclass(frozen=True)
class OutputPaths:
    """The files one certification run writes into its output directory."""

    summary: Path
    report_md: Path
    report_html: Path
    junit: Path
    failover_png: Path

    def all(self) -> list[Path]:
        """Every output file, summary first."""
        return [self.summary, self.report_md, self.report_html, self.junit, self.failover_png]


def fmt(value: float | None) -> str:
    """Seconds to three decimals for the reports; "-" when not measured."""
    return "-" if value is None else f"{value:.3f}"


def summary_cells(row: RowResult) -> dict[str, str]:
    """One row of the summary table, as text (the same in Markdown and HTML)."""

    def stat(figure: str, key: str) -> str:
        stats = row.stats(figure)
        return fmt(getattr(stats, key) if stats else None)

    return {
        "name": row.name, "image": row.image, "version": "; ".join(row.versions) or "-", "verdict": row.verdict,
        "failover_median": stat("failover_s", "median"), "failover_p95": stat("failover_s", "p95"),
        "failover_max": stat("failover_s", "max"), "bound": stat("dpd_bound_s", "min"),
        "bgp_median": stat("bgp_converged_s", "median"), "outage_max": stat("outage_s", "max"),
        "failed_checks": "; ".join(row.failed_checks) or "-",
    }


def write_outputs(run: CertifyRun, out_dir: Path) -> OutputPaths:
    """Write summary.json, the Markdown and HTML reports, the JUnit XML and the failover chart."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = OutputPaths(*(out_dir / name for name in (SUMMARY, REPORT_MD, REPORT_HTML, JUNIT, FAILOVER_PNG)))
    write_summary(run, paths.summary)
    save_png(failover_figure(failover_bars(run)), paths.failover_png)
    paths.report_md.write_text(render_markdown(run))
    paths.report_html.write_text(render_html(run, png_data_uri(paths.failover_png)))
    write_junit(run, paths.junit)
    return paths


def write_summary(run: CertifyRun, path: Path) -> Path:
    """summary.json, written from the model (flexlab.results.certify.CertifyRun)."""
    path.write_text(run.model_dump_json(indent=2) + "\n")
    return path


def failover_bars(run: CertifyRun) -> list[FailoverBar]:
    """One chart bar per row: its failover range against its smallest DPD bound."""
    bars = []
    for row in run.rows:
        bound = row.stats("dpd_bound_s")
        bars.append(FailoverBar(
            label=f"{row.name}\n{row.image}" if row.name != row.image else row.name,
            failovers=tuple(m.failover_s for m in row.measurements if m.failover_s is not None),
            bound_s=bound.min if bound else None, passed=row.verdict == "PASS",
            unmeasured=sum(m.failover_s is None for m in row.measurements),
        ))
    return bars


# ---------------------------------------------------------------------------------------
# Markdown and HTML
# ---------------------------------------------------------------------------------------

def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )
    env.filters["fmt"] = fmt
    env.filters["md"] = _md_cell
    return env


def _md_cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _context(run: CertifyRun) -> dict[str, Any]:
    by_image: dict[str, list[RowResult]] = {}
    for row in run.rows:
        by_image.setdefault(row.image, []).append(row)
    return {
        "run": run, "counts": run.counts, "columns": SUMMARY_COLUMNS,
        "rows": [(row, summary_cells(row)) for row in run.rows], "by_image": by_image,
    }


def render_markdown(run: CertifyRun) -> str:
    """report.md from its Jinja2 template."""
    return _environment().get_template("report.md.j2").render(_context(run))


def render_html(run: CertifyRun, chart_uri: str) -> str:
    """report.html from its Jinja2 template, the chart inlined as ``chart_uri``."""
    return _environment().get_template("report.html.j2").render(_context(run), chart_uri=chart_uri)


# ---------------------------------------------------------------------------------------
# JUnit
# ---------------------------------------------------------------------------------------

def junit_tree(run: CertifyRun) -> ET.ElementTree:
    """JUnit XML as Jenkins, GitLab, GitHub and Azure read it: <testsuites> with one
    <testsuite> per matrix row and one <testcase> per check (classname.name unique)."""
    root = ET.Element("testsuites", name=f"flexlab certify {run.matrix.name}")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0, "time": 0.0}
    for row, classname in zip(run.rows, junit_classnames(run.rows), strict=True):
        suite = _junit_suite(row, classname)
        for key in ("tests", "failures", "errors", "skipped"):
            totals[key] += int(suite.get(key, "0"))
        totals["time"] += float(suite.get("time", "0"))
        root.append(suite)
    root.set("tests", str(totals["tests"]))
    root.set("failures", str(totals["failures"]))
    root.set("errors", str(totals["errors"]))
    root.set("skipped", str(totals["skipped"]))
    root.set("time", f"{totals['time']:.3f}")
    ET.indent(root)
    return ET.ElementTree(root)


def junit_classnames(rows: list[RowResult]) -> list[str]:
    """``flexlab.certify.<row>`` with the row's dots made underscores (readers such as
    Jenkins split a classname at its last dot: iol-17.12 would become class "12"), made
    unique should two rows then collide."""
    used: set[str] = set()
    names = []
    for row in rows:
        base = name = f"flexlab.certify.{row.name.replace('.', '_')}"
        suffix = 2
        while name in used:
            name, suffix = f"{base}-{suffix}", suffix + 1
        used.add(name)
        names.append(name)
    return names


def _junit_suite(row: RowResult, classname: str) -> ET.Element:
    checks = _unique_names(row.checks)
    suite = ET.Element(
        "testsuite", name=row.name, tests=str(len(checks)),
        failures=str(sum(c.status == "failed" for c in checks)),
        errors=str(sum(c.status == "errored" for c in checks)),
        skipped=str(sum(c.status == "skipped" for c in checks)),
        time=f"{row.duration_s:.3f}", timestamp=row.started_at.split("+")[0], hostname=socket.gethostname(),
    )
    properties = ET.SubElement(suite, "properties")
    for name, value in summary_cells(row).items():
        ET.SubElement(properties, "property", name=name, value=value)
    for check in checks:
        case = ET.SubElement(suite, "testcase", classname=classname, name=check.name,
                             time=f"{check.duration_s:.3f}")
        if tag := _JUNIT_TAG.get(check.status):
            element = ET.SubElement(case, tag, message=check.message or check.status)
            if tag != "skipped":
                element.set("type", check.status)
                element.text = check.message
    return suite


def _unique_names(checks: list[Check]) -> list[Check]:
    """Check names are unique by construction; guard anyway (a CI reader merges duplicates)."""
    seen: dict[str, int] = {}
    unique = []
    for check in checks:
        count = seen.get(check.name, 0)
        seen[check.name] = count + 1
        unique.append(check if count == 0 else check.model_copy(update={"name": f"{check.name} #{count + 1}"}))
    return unique


def write_junit(run: CertifyRun, path: Path) -> Path:
    """JUnit XML of every row's checks (one testcase per check) for CI test reports."""
    junit_tree(run).write(path, encoding="utf-8", xml_declaration=True)
    return path
