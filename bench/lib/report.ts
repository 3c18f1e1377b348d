import type { Measured } from "./load.js";
import { fmt, fmtSpread, pct } from "./stats.js";

/** Markdown for a bench run. */

export interface Row {
  scenario: string;
  m: Measured;
  /** "vs floor", "vs hash ceiling", "vs Better Auth" cells (already formatted), by column. */
  ratios?: Partial<Record<RatioColumn, string>>;
}

export type RatioColumn = "floor" | "ceiling" | "peer";

export function table(rows: Row[]): string {
  const lines = [
    "| Scenario | req/s median (min–max) | p50 ms | p99 ms | RSS MB | server CPU µs/req | vs node:http floor | vs hash ceiling | vs Better Auth |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const r of rows) {
    const first = r.m.rounds.find((round) => round.firstError)?.firstError;
    const bad =
      r.m.unexpected > 0 ? ` ⚠ ${r.m.unexpected} unexpected${first ? ` (${first.slice(0, 120)})` : ""}` : "";
    lines.push(
      `| ${r.scenario}${bad} | ${fmtSpread(r.m.rps)} | ${fmtSpread(r.m.p50)} | ${fmtSpread(r.m.p99)} | ${
        r.m.rssMb !== undefined ? fmt(r.m.rssMb) : "–"
      } | ${cpuPerRequest(r.m)} | ${r.ratios?.floor ?? ""} | ${r.ratios?.ceiling ?? ""} | ${r.ratios?.peer ?? ""} |`,
    );
  }
  return lines.join("\n");
}

export function ratio(a: Measured | undefined, b: Measured | undefined): string {
  if (!a || !b) return "";
  return pct(a.rps.median / b.rps.median);
}

export function roundsDetail(rows: Row[]): string {
  const lines = [
    "| Scenario | round | req/s | p50 ms | p99 ms | lag p99 ms | server cores | machine busy | other cores | responses | statuses |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
  ];
  for (const r of rows) {
    r.m.rounds.forEach((round, i) => {
      lines.push(
        `| ${r.scenario} | ${i + 1} | ${fmt(round.rps)} | ${fmt(round.p50)} | ${fmt(round.p99)} | ${
          round.lagP99 !== undefined ? fmt(round.lagP99) : "–"
        } | ${round.serverCores !== undefined ? fmt(round.serverCores) : "–"} | ${
          round.machineBusy !== undefined ? pct(round.machineBusy) : "–"
        } | ${round.otherCores !== undefined ? fmt(round.otherCores) : "–"} | ${round.count} | ${Object.entries(
          round.statuses,
        )
          .map(([k, v]) => `${k}×${v}`)
          .join(" ")} |`,
      );
    });
  }
  return lines.join("\n");
}

export function check(label: string, value: number, target: number, higherIsBetter: boolean, unit = "") {
  const met = higherIsBetter ? value >= target : value <= target;
  const show = (v: number) => (unit === "%" ? pct(v) : `${fmt(v)}${unit}`);
  return `| ${label} | ${show(value)} | ${higherIsBetter ? "≥" : "≤"} ${show(target)} | ${met ? "met" : "**not met**"} |`;
}

/**
 * Server CPU time per request (µs), median over the rounds: robust to other work on the machine. In µs, since a
 * session check and the floor differ by tens of µs, which a 0.01 ms resolution rounded away.
 */
export function cpuPerRequest(m: Measured): string {
  const values = m.rounds
    .filter((r) => r.serverCores !== undefined && r.rps > 0)
    .map((r) => ((r.serverCores ?? 0) / r.rps) * 1_000_000)
    .sort((a, b) => a - b);
  if (values.length === 0) return "–";
  return fmt(values[Math.floor(values.length / 2)] ?? Number.NaN);
}
