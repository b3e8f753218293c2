"""The results: a table on stdout, the ratios to the floors, a JSON file and a PNG plot."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

__all__ = ["print_table", "ratios", "rss_trend", "write_json", "write_plot"]

Phases = dict[str, dict[str, Any]]


def _cpu_rss(result: dict[str, Any], prefix: str) -> str:
    procs = [v for k, v in result.get("processes", {}).items() if k.startswith(prefix)]
    if not procs:
        return "-"
    cpu = sum(p["cpu_seconds"] for p in procs)
    rss = max(p["rss_peak_mib"] for p in procs)
    return f"{cpu:.1f}s/{rss:.0f}M"


def print_table(phases: Phases) -> None:
    head = (
        f"{'phase':<24}{'acc/s':>8}{'dlv/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'hist':>6}  {'worker cpu/rss':>15}{'api cpu/rss':>14}{'temporal cpu':>14}"
    )
    print(head)
    print("-" * len(head))
    for name, r in phases.items():
        lat = r["latency_ms"]
        hist = r.get("history_events", {}).get("mean", "-")
        temporal = r.get("processes", {}).get("temporal", {}).get("cpu_seconds", "-")
        flag = "" if r.get("complete", True) else "  (TIMED OUT)"
        if "drain_per_s" in r:
            flag += f"  (worker alone: {r['drain_per_s']}/s)"
        print(
            f"{name:<24}{r['accepted_per_s']:>8.1f}{r['delivered_per_s']:>8.1f}"
            f"{lat['p50']:>9.0f}{lat['p95']:>9.0f}{lat['p99']:>9.0f}{hist!s:>6}  "
            f"{_cpu_rss(r, 'worker') if r['kind'] == 'ours' else _cpu_rss(r, 'floor'):>15}"
            f"{_cpu_rss(r, 'api'):>14}{temporal!s:>14}{flag}"
        )


def rss_trend(result: dict[str, Any], prefix: str = "worker") -> dict[str, float]:
    """RSS of the first matching process: first, peak, last (MiB) and the slope over the second
    half of the run in MiB per 1,000 callbacks (flat means near 0; see --events 50000)."""
    for name, series in result.get("timeline", {}).items():
        if not name.startswith(prefix) or len(series["t"]) < 4:
            continue
        half = len(series["t"]) // 2
        t, rss = series["t"][half:], series["rss_mib"][half:]
        mean_t, mean_r = sum(t) / len(t), sum(rss) / len(rss)
        var = sum((x - mean_t) ** 2 for x in t)
        slope = sum((x - mean_t) * (y - mean_r) for x, y in zip(t, rss, strict=True)) / var
        per_s = result["delivered_per_s"] or 1.0
        return {
            "first_mib": series["rss_mib"][0],
            "peak_mib": max(series["rss_mib"]),
            "last_mib": series["rss_mib"][-1],
            "mib_per_1000_callbacks": round(1000 * slope / per_s, 2),
        }
    return {}


_TUNED_FLOORS = ("tuned-floor-temporal", "tuned-floor-temporal-2")


def _ratio(a: float, b: float) -> float:
    return round(a / b, 3) if b and not math.isnan(a) and not math.isnan(b) else math.nan


def ratios(phases: Phases) -> dict[str, float]:
    """Our figures as fractions (throughput) or multiples (latency) of each floor."""
    out: dict[str, float] = {}
    pairs = [("throughput", "ours", "floor-temporal"), ("throughput", "ours", "floor-raw-http")]
    pairs += [("light", "light-ours", "light-floor-temporal")]
    for _, ours_name, floor_name in pairs:
        ours, floor = phases.get(ours_name), phases.get(floor_name)
        if not ours or not floor:
            continue
        key = floor_name.replace("light-", "")
        prefix = "light_" if ours_name.startswith("light") else ""
        out[f"{prefix}delivered_per_s_vs_{key}"] = _ratio(
            ours["delivered_per_s"], floor["delivered_per_s"]
        )
        for q in ("p50", "p99"):
            out[f"{prefix}latency_{q}_vs_{key}"] = _ratio(
                ours["latency_ms"][q], floor["latency_ms"][q]
            )
    floors = [phases[f]["delivered_per_s"] for f in _TUNED_FLOORS if f in phases]
    for name, phase in phases.items():  # --scenario tuned: against the mean of its two floors
        if name.startswith("tuned-ours") and floors:
            key = f"{name.removeprefix('tuned-').replace('-', '_')}_delivered_per_s_vs_floor"
            out[key] = _ratio(phase["delivered_per_s"], sum(floors) / len(floors))
    return out


def write_json(path: Path, report: dict[str, Any]) -> None:
    path.write_text(json.dumps(report, indent=1, default=str, allow_nan=True))


def _bars(ax: Any, names: list[str], values: list[float], title: str, unit: str) -> None:
    ax.bar(range(len(names)), values, color="#4c72b0")
    ax.set_xticks(range(len(names)), names, rotation=30, ha="right", fontsize=7)
    ax.set_title(title, fontsize=9)
    ax.set_ylabel(unit, fontsize=8)
    for i, v in enumerate(values):
        ax.annotate(f"{v:.0f}", (i, v), ha="center", va="bottom", fontsize=7)


def write_plot(path: Path, phases: Phases, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 3, figsize=(15, 8.5))
    fig.suptitle(title, fontsize=10)
    names = list(phases)
    _bars(axes[0][0], names, [phases[n]["delivered_per_s"] for n in names], "delivered/s", "/s")
    for q, color in (("p50", "#55a868"), ("p99", "#c44e52")):
        axes[0][1].plot(
            range(len(names)),
            [max(1.0, phases[n]["latency_ms"][q]) for n in names],
            "o",
            color=color,
            label=q,
        )
    axes[0][1].set_yscale("log")
    axes[0][1].set_xticks(range(len(names)), names, rotation=30, ha="right", fontsize=7)
    axes[0][1].set_title("accept-to-receipt latency (ms, log)", fontsize=9)
    axes[0][1].legend(fontsize=7)
    hist = [n for n in names if phases[n].get("history_events", {}).get("mean")]
    _bars(
        axes[0][2],
        hist,
        [phases[n]["history_events"]["mean"] for n in hist],
        "history events / callback",
        "events",
    )
    main = phases.get("ours") or next(iter(phases.values()))
    for proc, series in main.get("timeline", {}).items():
        axes[1][0].plot(series["t"], series["cpu_percent"], label=proc, linewidth=0.8)
        if proc.startswith(("worker", "api", "temporal")):
            axes[1][1].plot(series["t"], series["rss_mib"], label=proc, linewidth=0.8)
    axes[1][0].set_title("CPU % per process (main run; 100 = one core)", fontsize=9)
    axes[1][1].set_title("RSS MiB per process (main run)", fontsize=9)
    for ax in (axes[1][0], axes[1][1]):
        ax.set_xlabel("s", fontsize=8)
        ax.legend(fontsize=7)
    cpu = [n for n in names if phases[n]["delivered"]]
    per_callback = [_cpu_ms_per_callback(phases[n]) for n in cpu]
    _bars(axes[1][2], cpu, per_callback, "CPU ms per callback (all processes)", "ms")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _cpu_ms_per_callback(result: dict[str, Any]) -> float:
    total = sum(p["cpu_seconds"] for p in result.get("processes", {}).values())
    return 1000 * total / max(1, result["delivered"])
