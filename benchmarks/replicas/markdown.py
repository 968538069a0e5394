"""The replica benchmark's report as Markdown: the runs, the ratios, and the agreement."""

from __future__ import annotations

from urllib.parse import unquote

from benchmarks.replicas.results import (
    MIXES,
    STORES,
    WORKERS,
    Measured,
    Ratio,
    ReplicaResults,
    label,
)
from benchmarks.report import code_line, table

RUN_HEADERS = (
    *("mix", "configuration", "requests/s", "p50 ms", "p99 ms", "rounds: requests/s"),
    *("requests", "errors", "replica CPU ms / request"),
    *("CPU s: replicas / nginx / s3 / client", "load 1 min"),
)


RATIO_HEADERS = ("mix", "of", "over", "requests/s", "p99", "replica CPU per request")


def cores_note(cpus: int | None) -> str:
    """What the machine's cores let a second worker show."""
    if cpus is not None and cpus <= 2:
        return (
            f"**This machine has {cpus} cores.** The servers, nginx, the client and (for S3)"
            " moto share them, so a second worker cannot show a 2x here: a ratio of 2 workers"
            " over 1 says what a second process gains on these cores, not what a second"
            " machine would."
        )
    return f"This machine has {cpus} cores, shared by the servers, nginx, the client and moto."


def cpu_cell(run: Measured) -> str:
    """CPU seconds of the replicas (each), nginx, moto and wrk over the rounds."""
    cpu = run["cpu_seconds"]
    replicas = "+".join(f"{s:g}" for p, s in cpu.items() if p.startswith("replica"))
    others = ("nginx", "s3", "client")
    return " / ".join([replicas, *(f"{cpu[p]:g}" if p in cpu else "–" for p in others)])


def client_share(results: ReplicaResults) -> float:
    """The client's share of all the CPU seconds the runs used, in percent."""
    runs = [r for s in results["runs"].values() for w in s.values() for r in w.values()]
    client = sum(r["cpu_seconds"]["client"] for r in runs)
    total = sum(sum(r["cpu_seconds"].values()) for r in runs)
    return round(100 * client / max(total, 1e-9), 1)


def spread(run: Measured) -> str:
    """Each round's requests/s, to show how much the figures moved."""
    return ", ".join(f"{rate:,.0f}" for rate in run["requests_per_second_rounds"])


def run_row(mix: str, store: str, workers: int, run: Measured) -> list[object]:
    loads = "–".join(str(load) for load in run["load_1min"])
    return [
        *(mix, label(store, workers), f"{run['requests_per_second']:,.1f}"),
        *(run["p50_ms"], run["p99_ms"], spread(run), run["requests"], run["errors"]),
        *(run["replica_cpu_ms_per_request"], cpu_cell(run), loads),
    ]


def run_rows(results: ReplicaResults) -> list[list[object]]:
    return [
        run_row(mix, store, workers, results["runs"][store][str(workers)][mix])
        for mix in MIXES
        for store in STORES
        for workers in WORKERS
    ]


def ratio_row(ratio: Ratio) -> list[object]:
    figures = (ratio["requests_per_second"], ratio["p99"], ratio["cpu_per_request"])
    return [ratio["mix"], ratio["of"], ratio["over"], *(f"{x:.2f}" for x in figures)]


def ratio_rows(results: ReplicaResults) -> list[list[object]]:
    return [ratio_row(ratio) for ratio in results["ratios"]]


def agreement_lines(results: ReplicaResults) -> list[str]:
    agreement = results["agreement"]
    asked = (
        f"{agreement['questions']} questions, each asked through nginx and of every replica"
        f" directly: {agreement['answers_per_question']} answers a question"
    )
    if agreement["agree"]:
        return [f"**Answers agree** across the four configurations ({asked}): one status and"
                " body per question, byte for byte."]  # fmt: skip
    lines = [f"**Answers DIFFER** across the configurations ({asked}):", ""]
    for asked_url, prints in agreement["disagreements"].items():
        lines.append(f"- `{asked_url}`: {', '.join(prints)}")
    return lines


def markdown(results: ReplicaResults) -> str:
    plan, prep, machine = results["plan"], results["preparation"], results["machine"]
    lines = [
        "# Replica benchmark: 1 and 2 workers, local folder store and S3 store",
        "",
        f"The shipped catalogue ({prep['datasets']} datasets, of which one is a SYNTHETIC"
        f" 12333-hotline log of {prep['synthetic_rows']:,} made-up rows), built into an S3"
        f" store on {plan['s3_server']} in {prep['build_into_s3_seconds']} s, and copied key by"
        f" key into a folder store ({prep['objects']} objects, {prep['bytes'] / 1e6:.1f} MB)."
        " Each configuration:"
        " its workers (`opendata serve`, one process each, one shared state database) behind"
        f" nginx on 127.0.0.1; {plan['clients']} connections of {plan['client']}. Each mix"
        f" and configuration: {plan['warmup_seconds']:g} s untimed, then {plan['rounds']}"
        f" rounds of {plan['seconds']:g} s, the configurations taking turns round by round;"
        " the figures are the rounds' medians.",
        "",
        cores_note(machine["cpus"]),
        f"The client (wrk) used {client_share(results)} % of the CPU seconds the runs took.",
        "",
        *table(RUN_HEADERS, "llrrrlrrrlc", run_rows(results)),
        "",
        "Ratios (requests/s: above 1 is more; p99 and CPU per request: above 1 is slower):",
        "",
        *table(RATIO_HEADERS, "lllrrr", ratio_rows(results)),
        "",
        *agreement_lines(results),
        "",
        "The mixes, asked in turn by every connection:",
        "",
        *(
            f"- {mix}: " + ", ".join(f"`{unquote(q)}`" for q in qs)
            for mix, qs in results["mixes"].items()
        ),
        "",
        f"{code_line(results['code'])}; {machine['cpus']} CPUs ({machine['arch']});"
        f" {', '.join(f'{k} {v}' for k, v in results['software'].items())};"
        f" run took {results['run_seconds']} s.",
    ]
    return "\n".join(lines) + "\n"
