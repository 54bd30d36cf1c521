"""The sousei-kg benchmark: our server side by side with `oxigraph serve`, rdflib-endpoint and the
bare-Python ceiling (bench/ceiling_app.py).

    python bench/run.py --quick                 # real size, 2 s per wrk run (~5 min)
    python bench/run.py --sizes real,1m         # 5 s per run, plus the 1 M-triple scale-out
    python bench/run.py --sizes real,1m,10m
    python bench/run.py --shapes labels --conc 8 --no-extras --duration 1 --settle 1  # smoke test

Sets itself up (bench/.venv with the `oxigraph` CLI and rdflib-endpoint; `wrk` through apt-get if
missing), builds the data, starts the servers on free ports of 127.0.0.1, drives them with `wrk`
(bounded in time and requests), and writes bench/results/<timestamp>/results.md (with every raw
wrk output under raw/) and bench/results/latest.md. See bench/README.md.
"""

import argparse
import functools
import itertools
import json
import math
import operator
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import streaming  # bench/streaming.py, beside this file

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DATA = BENCH / "data"
RESULTS = BENCH / "results"
BENCH_VENV = BENCH / ".venv"
HOST = "127.0.0.1"
SIZES = {"real": 0, "1m": 1_000_000, "10m": 10_000_000}


def _project_python() -> Path:
    """The interpreter that has sousei_kg installed (this one, or the project's .venv)."""
    try:
        import sousei_kg  # noqa: F401

        return Path(sys.executable)
    except ImportError as missing:
        candidate = ROOT / ".venv" / "bin" / "python"
        if candidate.exists():
            os.execv(str(candidate), [str(candidate), *sys.argv])
        raise SystemExit(
            "install the project first: python3 -m venv .venv && .venv/bin/pip install -e ."
        ) from missing


PY = _project_python()
SOUSEI = PY.with_name("sousei-kg")

# ---------------------------------------------------------------------------------------------
# Queries

PREFIXES = (
    "PREFIX sousei: <https://w3id.org/sousei-kg/def#> "
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
)
ID = "https://w3id.org/sousei-kg/id/"
JSON = "application/sparql-results+json"
NT = "application/n-triples"

#: Raw SPARQL shapes, run against all servers. Each ends with its WHERE clause (or modifiers), so
#: the uncached runs can append a varying ``LIMIT n`` (n far above the row count: same answer).
RAW = {
    "labels": (PREFIXES + f"SELECT ?label WHERE {{ <{ID}goal/2> skos:prefLabel ?label }}", JSON),
    "kpi-path": (
        PREFIXES + "SELECT DISTINCT ?m ?label WHERE { ?goal sousei:hasKPI "
        f"<{ID}indicator/goal-2-kpi> . ?m a sousei:Measure ; sousei:contributesTo+ ?goal ; "
        'skos:prefLabel ?label FILTER(LANG(?label) = "ja") }',
        JSON,
    ),
    "count-per-org": (
        PREFIXES + "SELECT ?org (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m "
        "sousei:responsibleOrganization ?org } GROUP BY ?org ORDER BY DESC(?n) ?org",
        JSON,
    ),
    "label-contains": (
        PREFIXES
        + 'SELECT ?s ?label WHERE { ?s skos:prefLabel ?label FILTER(CONTAINS(?label, "交通")) }',
        JSON,
    ),
    "construct": (f"CONSTRUCT {{ <{ID}goal/2> ?p ?o }} WHERE {{ <{ID}goal/2> ?p ?o }}", NT),
}

#: Named queries (ours only), with the example parameters of their headers.
NAMED = {
    "nq:list-measures-for-kpi": f"/queries/list-measures-for-kpi?kpi={ID}indicator/goal-2-kpi",
    "nq:search-labels": "/queries/search-labels?text=" + urllib.parse.quote("交通"),
    "nq:list-measures-by-organization": (
        f"/queries/list-measures-by-organization?organization={ID}org/mlit"
    ),
    "nq:list-measures-for-programme": (
        f"/queries/list-measures-for-programme?programme={ID}programme/relocation-support"
    ),
    "nq:describe-logic-model-tree": f"/queries/describe-logic-model-tree?goal={ID}goal/2",
    "nq:compare-declared-counts": "/queries/compare-declared-and-enumerated-counts",
}

#: The concurrencies of the wrk runs (``--conc`` narrows them for a smoke test).
CONCURRENCIES = [1, 8]

#: How many clients wrk's requests come from (``X-Forwarded-For``, see :func:`fair_share_flags`).
CLIENTS = 8

LARGE = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"  # the gzip test (capped at 10,000 rows by ours)


def sparql_path(query: str) -> str:
    """The query string of a GET query; each server prefixes its own endpoint path."""
    return "?query=" + urllib.parse.quote(query, safe="")


# ---------------------------------------------------------------------------------------------
# Setup


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def setup() -> None:
    if (
        not (BENCH_VENV / "bin" / "oxigraph").exists()
        or not (BENCH_VENV / "bin" / "rdflib-endpoint").exists()
    ):
        log("creating bench/.venv (oxigraph CLI 0.5.13, rdflib-endpoint)")
        subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
        subprocess.run(
            [
                str(BENCH_VENV / "bin" / "pip"),
                "install",
                "-q",
                "oxigraph==0.5.13",
                "rdflib-endpoint",
                "uvicorn",
            ],
            check=True,
        )
    if shutil.which("wrk") is None:
        log("installing wrk (apt-get)")
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        if subprocess.run([*sudo, "apt-get", "install", "-y", "wrk"]).returncode != 0:
            subprocess.run([*sudo, "apt-get", "update"], check=True)
            subprocess.run([*sudo, "apt-get", "install", "-y", "wrk"], check=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def timed(cmd: list[str], **kwargs) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, **kwargs)
    return time.perf_counter() - start


@dataclass
class SizeData:
    name: str
    files: list[Path]  # N-Quads for oxigraph load / rdflib-endpoint
    ours_store: Path
    oxi_store: Path
    loads: dict[str, float] = field(default_factory=dict)
    quads: int = 0


def build_data(size: str, reuse: bool = False) -> SizeData:
    """The stores of ``size``, built afresh and timed; with ``reuse``, the ones an earlier run
    built are served as they are when both are there (a 10 M build takes ~6 minutes; the load
    table then says the stores were reused, untimed)."""
    DATA.mkdir(parents=True, exist_ok=True)
    real = DATA / "real.nq"
    if not real.exists():
        subprocess.run([str(SOUSEI), "export", "--format", "nq", "--output", str(real)], check=True)
    files = [real]
    stores = DATA / "stores"
    data = SizeData(size, files, stores / f"ours-{size}", stores / f"oxigraph-{size}")
    if reuse and (data.ours_store / "manifest.json").exists() and data.oxi_store.is_dir():
        log(f"reusing the stores of {size} an earlier run built")
        if size != "real":
            files.append(DATA / f"synthetic-{size}.nq")
        data.loads["stores reused from an earlier run (not timed)"] = 0.0
        manifest = json.loads((data.ours_store / "manifest.json").read_text())
        data.quads = manifest["quad_count"]
        return data
    for store in (data.ours_store, data.oxi_store):
        shutil.rmtree(store, ignore_errors=True)
    stores.mkdir(parents=True, exist_ok=True)
    if size == "real":
        log("loading the real graph: sousei-kg build vs oxigraph load")
        data.loads["ours: sousei-kg build (load + SHACL + manifest)"] = timed(
            [str(SOUSEI), "build", "--store", str(data.ours_store)]
        )
    else:
        synthetic = DATA / f"synthetic-{size}.nq"
        if not synthetic.exists():
            log(f"generating {synthetic.name}")
            subprocess.run(
                [
                    str(PY),
                    str(BENCH / "generate.py"),
                    "--triples",
                    str(SIZES[size]),
                    "--output",
                    str(synthetic),
                ],
                check=True,
            )
        files.append(synthetic)
        log(f"loading {size}: sousei-kg build + bulk_load vs oxigraph load")
        out = subprocess.run(
            [
                str(PY),
                str(BENCH / "ourstore.py"),
                "--store",
                str(data.ours_store),
                "--extra",
                str(synthetic),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        phases = json.loads(out.stdout.strip().splitlines()[-1])
        data.loads["ours: sousei-kg build of the real graph (load + SHACL + manifest)"] = phases[
            "build_real_s"
        ]
        data.loads["ours: pyoxigraph bulk_load of the synthetic file"] = phases["bulk_load_extra_s"]
        data.loads["ours: manifest update (count)"] = phases["manifest_s"]
        data.loads["ours: label index (issue 20)"] = phases.get("label_index_s", 0.0)
        data.loads["ours: total"] = phases["total_s"]
    data.loads["oxigraph load (same N-Quads)"] = timed(
        [
            str(BENCH_VENV / "bin" / "oxigraph"),
            "load",
            "--location",
            str(data.oxi_store),
            *functools.reduce(operator.iadd, (["--file", str(f)] for f in files), []),
        ],
        stderr=subprocess.DEVNULL,
    )
    manifest = json.loads((data.ours_store / "manifest.json").read_text())
    data.quads = manifest["quad_count"]
    return data


# ---------------------------------------------------------------------------------------------
# Servers


@dataclass
class Server:
    name: str
    cmd: list[str]
    env: dict[str, str]
    port: int
    endpoint: str = "/sparql"  # oxigraph: /query, rdflib-endpoint: /
    proc: subprocess.Popen | None = None
    startup_s: float | None = None

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self, log_dir: Path) -> None:
        out = (log_dir / f"server-{self.name}.log").open("wb")
        start = time.perf_counter()
        self.proc = subprocess.Popen(
            self.cmd,
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=str(ROOT),
        )
        url = self.base + self.endpoint + sparql_path("ASK { ?s ?p ?o }")
        deadline = start + 180
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited; see {out.name}")
            try:
                with urllib.request.urlopen(
                    urllib.request.Request(url, headers={"Accept": JSON}), timeout=5
                ) as r:
                    if r.status == 200:
                        self.startup_s = time.perf_counter() - start
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            time.sleep(0.02)
        raise RuntimeError(f"{self.name} did not answer within 180 s")

    def rss_mb(self) -> float:
        """Resident memory of the server's process tree (VmRSS summed over descendants)."""
        if self.proc is None:
            return 0.0
        children: dict[int, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                    ppid = int(stat.rsplit(")", 1)[1].split()[1])
                    children.setdefault(ppid, []).append(int(entry.name))
                except (OSError, ValueError, IndexError):
                    pass
        total, todo = 0, [self.proc.pid]
        while todo:
            pid = todo.pop()
            todo.extend(children.get(pid, []))
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            except OSError:
                pass
        return total / 1024

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)  # its own session: the server and its workers only
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait()


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOUSEI_")}
    env.update(extra)
    return env


def fair_share_flags() -> list[str]:
    """How ours meets wrk's load. With several clients (the default) wrk stands for a proxy in
    front of CLIENTS clients: each request carries ``X-Forwarded-For`` with one of CLIENTS
    loopback addresses, and ours trusts 127.0.0.1 as that proxy, so its fair share (one running
    query per address while others wait, two waiting per client, 60 s of worker time a minute)
    stays on at its defaults. With ``--clients 1`` wrk is one client with 8 connections, which
    those limits would serialise and refuse (429), so they are relaxed as in earlier runs."""
    if CLIENTS > 1:
        return ["--trusted-proxy", HOST]
    return ["--max-waiting-queries", "64", "--query-seconds-per-minute", "0"]


def ours(name: str, store: Path, *flags: str, **env: str) -> Server:
    port = free_port()
    cmd = [
        str(SOUSEI),
        "serve",
        "--store",
        str(store),
        "--host",
        HOST,
        "--port",
        str(port),
        "--no-rate-limit",
        *fair_share_flags(),
        # As the other servers: no access log (one line per request would also fill the log
        # folder with millions of lines per run).
        "--no-access-log",
        *flags,
    ]
    return Server(name, cmd, clean_env(**env), port)


def oxigraph(store: Path) -> Server:
    port = free_port()
    cmd = [
        str(BENCH_VENV / "bin" / "oxigraph"),
        "serve-read-only",
        "--location",
        str(store),
        "--bind",
        f"{HOST}:{port}",
        "--union-default-graph",
    ]
    return Server("oxigraph", cmd, clean_env(), port, "/query")


def ceiling(data: "SizeData") -> Server:
    """bench/ceiling_app.py: bare ASGI on uvicorn + httptools, pyoxigraph in process. At the real
    size it loads the same N-Quads into memory; at 1 M and 10 M it opens the store `oxigraph load`
    built from them, read-only (ours reads from disk there too)."""
    port = free_port()
    source = (
        ["--store", str(data.oxi_store)]
        if data.name != "real"
        else [arg for path in data.files for arg in ("--file", str(path))]
    )
    cmd = [str(PY), str(BENCH / "ceiling_app.py"), "--host", HOST, "--port", str(port), *source]
    return Server("ceiling", cmd, clean_env(), port)


def rdflib_endpoint(files: list[Path]) -> Server:
    port = free_port()
    cmd = [
        str(BENCH_VENV / "bin" / "rdflib-endpoint"),
        "serve",
        *map(str, files),
        "--host",
        HOST,
        "--port",
        str(port),
    ]
    return Server("rdflib-endpoint", cmd, clean_env(), port, "/")


# ---------------------------------------------------------------------------------------------
# wrk

LUA = """
local path = "{path}"
local vary = {vary}
local max_requests = {max_requests}
local clients = {clients}
local counter = 0
local threads = {{}}
function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end
{headers}
function request()
  counter = counter + 1
  if clients > 1 then
    wrk.headers["X-Forwarded-For"] = "127.0.0." .. (10 + (id * 3 + counter) % clients)
  end
  if vary then
    return wrk.format("GET", path .. "%20LIMIT%20" .. ({first_limit} + id * 10000000 + counter))
  end
  return wrk.format("GET", path)
end
function response(status, headers, body)
  if counter >= max_requests then wrk.thread:stop() end
end
"""


@dataclass
class Run:
    size: str
    shape: str
    mode: str  # uncached | repeated
    conc: int
    server: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int
    raw: str


def _ms(text: str) -> float:
    for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0), ("m", 60000.0)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
    return float(text)


def parse_wrk(out: str) -> tuple[float, float, float, int, int]:
    rps = p50 = p99 = math.nan  # stay nan when no request completed
    errors = requests = 0
    for line in out.splitlines():
        parts = line.split()
        if line.startswith("Requests/sec:"):
            rps = float(parts[1])
        elif parts[:1] == ["50%"]:
            p50 = _ms(parts[1])
        elif parts[:1] == ["99%"]:
            p99 = _ms(parts[1])
        elif "Non-2xx or 3xx responses:" in line:
            errors += int(parts[-1])
        elif "Socket errors:" in line:
            errors += sum(int(p.strip(",")) for p in parts[3::2])
        elif "requests in" in line:
            requests = int(parts[0])
    if requests == 0:
        rps = p50 = p99 = math.nan
    return rps, p50, p99, errors, requests


def drain(server: "Server", parallel: int = 4, limit_s: float = 90.0) -> None:
    """Wait until the server has finished the work queued by the previous run (slow queries that
    wrk gave up on still run, up to the server's time limit, and would hold every query worker
    during the next run): ``parallel`` cheap ASKs at once must all answer within 0.1 s (so no
    worker is still busy), retried for at most ``limit_s`` seconds; then a short pause. Each ASK
    differs (a numbered comment): a repeated one would be answered by the cache, busy or not."""
    numbers = itertools.count()

    def timed_ask() -> float:
        path = server.endpoint + sparql_path(f"ASK {{ ?s ?p ?o }} # drain {next(numbers)}")
        started = time.perf_counter()
        try:
            status = fetch(server, path, JSON)[0]
        except OSError:
            status = 0
        # A refusal (503, a reset) is quick but says nothing about the workers being free.
        return time.perf_counter() - started if status == 200 else math.inf

    deadline = time.perf_counter() + limit_s
    with ThreadPoolExecutor(parallel) as pool:
        while time.perf_counter() < deadline:
            if max(pool.map(lambda _: timed_ask(), range(parallel))) < 0.1:
                break
            time.sleep(0.5)
    time.sleep(0.3)


def wait_for_quiet_cpu(limit_s: float = 120.0, busy_below: float = 0.15) -> None:
    """Wait until the machine's CPUs are mostly idle (sampled over 0.5 s from /proc/stat), for at
    most ``limit_s``. The drain frees *this* server's workers, but another server may still burn
    both cores on the previous run's runaways (`oxigraph serve` has no query time limit: eight
    10 M label scans ran on for ~40 s and starved the next run of ours to zero answers)."""

    def busy_and_total() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = fields[3] + fields[4]  # idle + iowait
        return sum(fields) - idle, sum(fields)

    deadline = time.perf_counter() + limit_s
    while time.perf_counter() < deadline:
        busy0, total0 = busy_and_total()
        time.sleep(0.5)
        busy1, total1 = busy_and_total()
        if total1 > total0 and (busy1 - busy0) / (total1 - total0) < busy_below:
            return


class Wrk:
    def __init__(
        self, out_dir: Path, duration: float, max_requests: int, settle_s: float = 120.0
    ) -> None:
        self.raw = out_dir / "raw"
        self.raw.mkdir(parents=True, exist_ok=True)
        self.duration = duration
        self.max_requests = max_requests
        self.settle_s = settle_s
        self.runs: list[Run] = []

    def run(
        self,
        size: str,
        shape: str,
        mode: str,
        conc: int,
        server: Server,
        path: str,
        headers: dict[str, str],
        tag: str = "",
        vary: bool | None = None,
    ) -> Run:
        name = f"{size}--{shape.replace(':', '_')}--{mode}--c{conc}--{server.name}{tag}"
        script = self.raw / f"{name}.lua"
        header_lua = "\n".join(f'wrk.headers["{k}"] = "{v}"' for k, v in headers.items())
        script.write_text(
            LUA.format(
                path=path,
                vary="true" if (mode == "uncached" if vary is None else vary) else "false",
                max_requests=self.max_requests,
                clients=CLIENTS,
                headers=header_lua,
                # Every run of the whole benchmark asks for LIMITs no other run asked for: a c=8
                # run repeating the c=1 run's values would be answered by the result cache.
                first_limit=100_000 + len(self.runs) * 100_000_000,
            )
        )
        drain(server)
        wait_for_quiet_cpu(self.settle_s)
        threads = 1 if conc == 1 else 2
        cmd = [
            "wrk",
            "-t",
            str(threads),
            "-c",
            str(conc),
            "-d",
            f"{self.duration:g}s",
            "--timeout",
            "10s",
            "--latency",
            "-s",
            str(script),
            server.base + "/",
        ]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=self.duration + 60)
        text = f"$ {' '.join(cmd)}\n{out.stdout}{out.stderr}"
        (self.raw / f"{name}.txt").write_text(text)
        run = Run(
            size,
            shape + tag,
            mode,
            conc,
            server.name,
            *parse_wrk(out.stdout),
            raw=f"raw/{name}.txt",
        )
        self.runs.append(run)
        log(
            f"{name}: {run.rps:,.0f} req/s p50 {run.p50_ms:.2f} ms p99 {run.p99_ms:.2f} ms"
            + (f"  ERRORS {run.errors}" if run.errors else "")
        )
        return run


# ---------------------------------------------------------------------------------------------
# Checks and side measurements


def fetch(
    server: Server, path: str, accept: str, encoding: str | None = None
) -> tuple[int, bytes, dict]:
    headers = {"Accept": accept}
    if encoding:
        headers["Accept-Encoding"] = encoding
    request = urllib.request.Request(server.base + path, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=120) as r:
            return r.status, r.read(), dict(r.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def answer_size(body: bytes, accept: str) -> int:
    if accept == JSON:
        try:
            return len(json.loads(body)["results"]["bindings"])
        except (ValueError, KeyError):
            return -1
    return len([line for line in body.decode().splitlines() if line.strip()])


def engine_times(store: Path) -> dict[str, float]:
    """Median in-process pyoxigraph time per raw shape (query + JSON/N-Triples serialisation):
    60 runs, the first 10 left out, or fewer when a shape takes seconds (20 s per shape)."""
    code = r"""
import json, statistics, sys, time
from pyoxigraph import Store, QueryResultsFormat, RdfFormat, QuerySolutions
store = Store.read_only(sys.argv[1] + "/oxigraph")
shapes = json.loads(sys.argv[2])
out = {}
for name, (query, accept) in shapes.items():
    samples = []
    budget = time.perf_counter() + 20  # at 10 M a scan takes seconds: at most ~20 s per shape
    for i in range(60):
        if len(samples) >= 3 and time.perf_counter() > budget:
            break
        start = time.perf_counter()
        result = store.query(query + f" LIMIT {100000 + i}", use_default_graph_as_union=True)
        if isinstance(result, QuerySolutions):
            result.serialize(format=QueryResultsFormat.JSON)
        else:
            result.serialize(format=RdfFormat.N_TRIPLES)
        samples.append(time.perf_counter() - start)
    out[name] = statistics.median(samples[10:] or samples) * 1000
print(json.dumps(out))
"""
    out = subprocess.run(
        [str(PY), "-c", code, str(store), json.dumps(RAW)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


# ---------------------------------------------------------------------------------------------
# Report


def geomean(values: list[float]) -> float:
    values = [v for v in values if v > 0 and not math.isnan(v)]
    return math.exp(sum(map(math.log, values)) / len(values)) if values else math.nan


def f(value: float, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,.{digits}f}"


def report(runs: list[Run], extras: dict, args: argparse.Namespace, stamp: str) -> tuple[str, dict]:
    lines = [f"# sousei-kg benchmark, {stamp}", ""]
    lines.append(
        f"Command: `python bench/run.py {' '.join(sys.argv[1:])}` on {os.cpu_count()} cores; "
        f"wrk {extras['wrk_version']}, -d {args.duration:g}s per run, -t 1 -c 1 / -t 2 -c 8, "
        "127.0.0.1. `uncached`: every request appends a different `LIMIT n` (n ≫ rows), so "
        "no cache answers it; `repeated`: identical requests. "
        + (
            f"wrk's requests come from {CLIENTS} clients (`X-Forwarded-For` rotating over "
            f"{CLIENTS} loopback addresses, sent to every server); ours trusts 127.0.0.1 as their "
            "proxy (`--trusted-proxy 127.0.0.1`) and runs with its fair share at the defaults, "
            "`--no-rate-limit`, "
            if CLIENTS > 1
            else "wrk is one client; ours runs with `--no-rate-limit`, the fair-share limits "
            "relaxed (`--max-waiting-queries 64 --query-seconds-per-minute 0`), "
        )
        + "`--no-access-log` and the default 2 query workers. The ceiling is bench/ceiling_app.py "
        "(bare ASGI + pyoxigraph in process). Raw wrk output of every figure: `raw/`."
    )
    lines.append("")
    index = {(r.size, r.shape, r.mode, r.conc, r.server): r for r in runs}
    targets: dict = {}
    for size in extras["sizes"]:
        servers = ["ours", "oxigraph", "ceiling"] + (["rdflib-endpoint"] if size == "real" else [])
        # ours divided by each other server: (server, column title, digits)
        others = [("oxigraph", "ours/oxigraph", 2), ("ceiling", "ours/ceiling", 2)]
        if "rdflib-endpoint" in servers:
            others.append(("rdflib-endpoint", "ours/rdflib", 1))
        lines += [f"## Size: {size} ({extras['quads'][size]:,} quads)", ""]
        head = "| query | mode | c | " + " | ".join(
            f"{s} req/s | {s} p50 ms | {s} p99 ms" for s in servers
        )
        head += "".join(f" | {title}" for _, title, _ in others) + " |"
        lines += [head, "|" + "---|" * (head.count("|") - 1)]
        per_shape: dict = {}  # (mode, conc, other server) -> {shape: ours/other}
        for mode in ("uncached", "repeated"):
            for conc in (1, 8):
                for shape in RAW:
                    row = [shape, mode, str(conc)]
                    rs = {s: index.get((size, shape, mode, conc, s)) for s in servers}
                    if not any(rs.values()):
                        continue  # not run (narrowed by --shapes or --conc)
                    for r in rs.values():
                        mark = f" ⚠{r.errors} errors" if r and r.errors else ""
                        row += [
                            f(r.rps) + mark if r else "–",
                            f(r.p50_ms, 2) if r else "–",
                            f(r.p99_ms, 2) if r else "–",
                        ]
                    ours_run = rs["ours"]
                    for other, _title, digits in others:
                        them = rs[other]
                        ratio = (
                            ours_run.rps / them.rps
                            if ours_run and them and them.rps > 0
                            else math.nan
                        )
                        row.append(f(ratio, digits) + "×")
                        per_shape.setdefault((mode, conc, other), {})[shape] = ratio
                    lines.append("| " + " | ".join(row) + " |")
        lines += [
            "",
            "Geo-mean throughput ratios over the raw shapes (ceiling: bench/ceiling_app.py, bare "
            "Python on the same engine and data; ours/ceiling is the share of it we keep):",
            "",
            "| mode | c | ours/oxigraph | ours/ceiling | lowest ours/ceiling "
            "| ours/rdflib-endpoint |",
            "|---|---|---|---|---|---|",
        ]
        for mode in ("uncached", "repeated"):
            for conc in (1, 8):
                for other in ("oxigraph", "ceiling", "rdflib-endpoint"):
                    ratios = per_shape.get((mode, conc, other), {})
                    known = {k: v for k, v in ratios.items() if not math.isnan(v)}
                    targets[(size, mode, conc, other)] = geomean(list(known.values()))
                    targets[(size, mode, conc, other, "min")] = (
                        min(known.items(), key=operator.itemgetter(1)) if known else ("–", math.nan)
                    )
                    targets[(size, mode, conc, other, "shapes")] = ratios
                low_shape, low = targets[(size, mode, conc, "ceiling", "min")]
                if not any(per_shape.get((mode, conc, o)) for o, _, _ in others):
                    continue
                lines.append(
                    f"| {mode} | {conc} | {f(targets[(size, mode, conc, 'oxigraph')], 2)}× | "
                    f"{f(targets[(size, mode, conc, 'ceiling')], 2)}× | "
                    f"{f(low, 2)}× ({low_shape}) | "
                    f"{f(targets[(size, mode, conc, 'rdflib-endpoint')], 1)}× |"
                )
        lines += [
            "",
            "Named queries (ours only; `uncached` = a server started with "
            "`SOUSEI_RESULT_CACHE_BYTES=0`):",
            "",
            "| named query | mode | c | req/s | p50 ms | p99 ms |",
            "|---|---|---|---|---|---|",
        ]
        worst_p99 = worst_p50 = 0.0
        named_runs = 0
        for mode in ("uncached", "repeated"):
            for conc in (1, 8):
                for shape in NAMED:
                    r = index.get(
                        (size, shape, mode, conc, "ours" if mode == "repeated" else "ours-nocache")
                    )
                    if r:
                        mark = f" ⚠{r.errors} errors" if r.errors else ""
                        lines.append(
                            f"| {shape[3:]} | {mode} | {conc} | {f(r.rps)}{mark} | "
                            f"{f(r.p50_ms, 2)} | {f(r.p99_ms, 2)} |"
                        )
                        if mode == "uncached" and conc == 8:
                            named_runs += 1
                            # a run with no completed request counts as failing the target
                            worst_p99 = max(
                                worst_p99, math.inf if math.isnan(r.p99_ms) else r.p99_ms
                            )
                            worst_p50 = max(
                                worst_p50, math.inf if math.isnan(r.p50_ms) else r.p50_ms
                            )
        # no named query run (a --shapes smoke test): no figure, not a pass
        targets[(size, "named-p99")] = worst_p99 if named_runs else math.nan
        targets[(size, "named-p50")] = worst_p50 if named_runs else math.nan
        lines += [
            "",
            "Start-up (spawn → first 200 on /sparql), resident memory after the runs "
            "(VmRSS of the process tree), load time:",
            "",
            "| server | start-up s | RSS MB |",
            "|---|---|---|",
        ]
        for name, (startup, rss) in extras["servers"][size].items():
            lines.append(f"| {name} | {f(startup, 2)} | {f(rss)} |")
        lines += ["", "| load | seconds |", "|---|---|"]
        for name, seconds in extras["loads"][size].items():
            lines.append(f"| {name} | {f(seconds, 2)} |")
        if size in extras.get("engine", {}):
            lines += [
                "",
                "In-process pyoxigraph time per shape (query + serialisation, median, "
                "same store) against our uncached c=1 latency, i.e. where the time goes:",
                "",
                "| shape | engine ms | ours p50 ms (uncached, c1) | overhead ms |",
                "|---|---|---|---|",
            ]
            for shape, ms in extras["engine"][size].items():
                r = index.get((size, shape, "uncached", 1, "ours"))
                lines.append(
                    f"| {shape} | {ms:.3f} | {f(r.p50_ms, 2) if r else '–'} | "
                    f"{f(r.p50_ms - ms, 2) if r else '–'} |"
                )
        lines.append("")
    if extras.get("gzip"):
        lines += [
            "## gzip (large response: `SELECT * { ?s ?p ?o }` as JSON, real size, repeated, c=8)",
            "",
            "| server | Accept-Encoding | body bytes | Content-Encoding | req/s | p50 ms |",
            "|---|---|---|---|---|---|",
        ]
        for row in extras["gzip"]:
            lines.append("| " + " | ".join(map(str, row)) + " |")
        lines.append("")
    if extras.get("workers"):
        lines += [
            "## Server processes: `--workers 1` vs `--workers 2` (real size, uncached, c=8)",
            "",
            "`--workers 2`: each server process has its own 2 query workers (6 processes); "
            "`--query-workers 1`: one each (the same 2 query processes as one server).",
            "",
            "| shape | 1 worker req/s | 2 workers req/s | scaling | 2 workers, 1 query worker "
            "each, req/s | scaling |",
            "|---|---|---|---|---|---|",
        ]
        for shape, one, two, two_b in extras["workers"]:
            lines.append(
                f"| {shape} | {f(one)} | {f(two)} | {f(two / one if one else math.nan, 2)}× "
                f"| {f(two_b)} | {f(two_b / one if one else math.nan, 2)}× |"
            )
        lines.append("")
    if extras.get("isolation"):
        lines += [
            "## Killable execution: worker processes vs threads of the server (real size, "
            "uncached)",
            "",
            "`ours` evaluates in 2 killable worker processes (the default); `--query-workers 0`",
            "on threads of the server process, where a runaway query cannot be stopped.",
            "",
            "| shape | c | workers req/s | in-process req/s | cost of isolation |",
            "|---|---|---|---|---|",
        ]
        for shape, conc, workers_rps, threads_rps in extras["isolation"]:
            cost = 1 - workers_rps / threads_rps if threads_rps else math.nan
            lines.append(f"| {shape} | {conc} | {f(workers_rps)} | {f(threads_rps)} | {cost:.0%} |")
        lines.append("")
    if extras.get("streaming"):
        lines += streaming.report(extras["streaming"])
    lines += target_lines(targets, extras)
    return "\n".join(lines) + "\n", targets


def target_lines(t: dict, extras: dict) -> list[str]:
    def verdict(ok: bool | None) -> str:
        return "n/a" if ok is None else ("**met**" if ok else "**NOT met**")

    rows = []
    o = t.get(("real", "uncached", 8, "oxigraph"), math.nan)
    rows.append(
        (
            "uncached, real, c=8: geo-mean ≥ 0.5× oxigraph",
            f"{f(o, 2)}×",
            verdict(None if math.isnan(o) else o >= 0.5),
        )
    )
    p = t.get(("real", "named-p99"), math.nan)
    rows.append(
        (
            "uncached, real, c=8: p99 ≤ 10 ms for every named query",
            f"worst {f(p, 2)} ms",
            verdict(None if math.isnan(p) else p <= 10),
        )
    )
    o = t.get(("real", "repeated", 8, "oxigraph"), math.nan)
    rows.append(
        (
            "repeated, real, c=8: geo-mean ≥ 1.0× oxigraph",
            f"{f(o, 2)}×",
            verdict(None if math.isnan(o) else o >= 1.0),
        )
    )
    r = t.get(("real", "uncached", 8, "rdflib-endpoint"), math.nan)
    rows.append(
        (
            "uncached, c=8: geo-mean ≥ 20× rdflib-endpoint",
            f"{f(r, 1)}×",
            verdict(None if math.isnan(r) else r >= 20),
        )
    )
    m = t.get(("real", "uncached", 8, "rdflib-endpoint", "min"), ("", math.nan))[1]
    rows.append(
        (
            "ahead of rdflib-endpoint on every shape (uncached, c=8)",
            f"lowest {f(m, 1)}×",
            verdict(None if math.isnan(m) else m > 1),
        )
    )
    isolation = [
        workers / threads
        for _shape, conc, workers, threads in extras.get("isolation", [])
        if conc == 8 and threads
    ]
    if isolation:
        cost = 1 - math.exp(sum(map(math.log, isolation)) / len(isolation))
        rows.append(
            (
                "killable execution costs ≤ 15 % on cheap queries (uncached, c=8, geo-mean)",
                f"{cost:.0%}",
                verdict(cost <= 0.15),
            )
        )
    else:
        rows.append(("killable execution costs ≤ 15 % on cheap queries", "not run", "n/a"))
    for size in ("1m", "10m"):
        if size not in extras["sizes"]:
            continue
        loads = extras["loads"][size]
        if "ours: total" not in loads:  # --reuse-stores: nothing was loaded in this run
            rows.append((f"{size}: load ≤ 1.5× oxigraph load", "stores reused, not timed", "n/a"))
        else:
            ratio = loads["ours: total"] / loads["oxigraph load (same N-Quads)"]
            rows.append(
                (
                    f"{size}: load ≤ 1.5× oxigraph load",
                    f"{f(ratio, 2)}× ({f(loads['ours: total'], 1)} s vs "
                    f"{f(loads['oxigraph load (same N-Quads)'], 1)} s)",
                    verdict(ratio <= 1.5) + (" (at 1 M, not 10 M)" if size == "1m" else ""),
                )
            )
        startup = extras["servers"][size]["ours"][0]
        rows.append(
            (
                f"{size}: ready ≤ 2 s by opening the store",
                f"{f(startup, 2)} s",
                verdict(startup <= 2),
            )
        )
        p50 = t.get((size, "named-p50"), math.nan)
        rows.append(
            (
                f"{size}: every named query p50 ≤ 50 ms (uncached, c=8)",
                f"worst {f(p50, 2)} ms",
                verdict(None if math.isnan(p50) else p50 <= 50),
            )
        )
        rss = extras["servers"][size]["ours"][1]
        rows.append((f"{size}: server RSS ≤ 600 MB", f"{f(rss)} MB", verdict(rss <= 600)))
    if extras.get("streaming"):
        streamed = streaming.growth(extras["streaming"], "streamed")
        held = streaming.growth(extras["streaming"], "held whole")
        held_outcome = streaming.outcome(extras["streaming"], "held whole")
        streamed_outcome = streaming.outcome(extras["streaming"], "streamed")
        refused = held_outcome != "complete"  # stopped by the worker's memory limit (issue 14)
        rows.append(
            (
                f"large results stream with flat memory ({streaming.ROWS:,}-row SELECT, growth of "
                "the server's RSS during the download; flat: ≤ 64 MB and ≤ ¼ of held whole, or "
                "held whole refused by the memory limit)",
                f"streamed {f(streamed)} MB ({streamed_outcome}), "
                f"held whole {f(held)} MB ({held_outcome})",
                verdict(streamed <= 64 and (refused or streamed <= held / 4)),
            )
        )
    else:
        rows.append(("large results stream with flat memory", "not measured by this run", "n/a"))
    out = ["## Targets of issue 6", "", "| target | figure | verdict |", "|---|---|---|"]
    out += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    out += ["", *ceiling_target_lines(t, extras)]
    return [*out, ""]


def ceiling_target_lines(t: dict, extras: dict) -> list[str]:
    """Issue 20's targets, per size and concurrency: uncached ours/ceiling geo-mean ≥ 0.85 with
    no shape under 0.7 (a shape where ours completed no request, or the ceiling did not run,
    fails); repeated ours/oxigraph geo-mean ≥ 1.0 with labels ≥ 0.8."""

    def verdict(ok: bool | None) -> str:
        return "n/a" if ok is None else ("**met**" if ok else "**NOT met**")

    rows = []
    for size in extras["sizes"]:
        for conc in CONCURRENCIES:
            shapes = t.get((size, "uncached", conc, "ceiling", "shapes"), {})
            if not shapes:
                continue
            geo = t[(size, "uncached", conc, "ceiling")]
            missing = sorted(k for k, v in shapes.items() if math.isnan(v))
            low_shape, low = t[(size, "uncached", conc, "ceiling", "min")]
            rows.append(
                (
                    f"{size}, uncached, c={conc}: ours/ceiling geo-mean ≥ 0.85",
                    f"{f(geo, 2)}×" + (f" (no figure: {', '.join(missing)})" if missing else ""),
                    verdict(None if math.isnan(geo) else geo >= 0.85 and not missing),
                )
            )
            rows.append(
                (
                    f"{size}, uncached, c={conc}: no shape under 0.7× the ceiling",
                    f"lowest {f(low, 2)}× ({low_shape})"
                    + (f"; no figure: {', '.join(missing)}" if missing else ""),
                    verdict(None if math.isnan(low) else low >= 0.7 and not missing),
                )
            )
        for conc in CONCURRENCIES:
            shapes = t.get((size, "repeated", conc, "oxigraph", "shapes"), {})
            if not shapes:
                continue
            geo = t[(size, "repeated", conc, "oxigraph")]
            rows.append(
                (
                    f"{size}, repeated, c={conc}: ours/oxigraph geo-mean ≥ 1.0",
                    f"{f(geo, 2)}×",
                    verdict(None if math.isnan(geo) else geo >= 1.0),
                )
            )
            if "labels" in shapes:
                labels = shapes["labels"]
                rows.append(
                    (
                        f"{size}, repeated, c={conc}: labels ≥ 0.8× oxigraph",
                        f"{f(labels, 2)}×",
                        verdict(None if math.isnan(labels) else labels >= 0.8),
                    )
                )
    out = ["## Targets of issue 20", "", "| target | figure | verdict |", "|---|---|---|"]
    out += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return out


# ---------------------------------------------------------------------------------------------
# Main


def bench_size(
    size: str,
    wrk: Wrk,
    extras: dict,
    out_dir: Path,
    side_runs: bool = True,
    reuse: bool = False,
) -> None:
    """Every run at one size; ``side_runs``: also gzip, server processes, killable execution and
    large results (real size only)."""
    data = build_data(size, reuse=reuse)
    extras["quads"][size] = data.quads
    extras["loads"][size] = data.loads
    servers = [
        ours("ours", data.ours_store),
        ours("ours-nocache", data.ours_store, SOUSEI_RESULT_CACHE_BYTES="0"),
        oxigraph(data.oxi_store),
        ceiling(data),
    ]
    if size == "real":
        servers.append(rdflib_endpoint(data.files))
    try:
        for server in servers:  # one at a time, so start-up times do not compete
            log(f"starting {server.name}")
            server.start(out_dir)
            log(f"{server.name} answered after {server.startup_s:.2f} s")
        by_name = {s.name: s for s in servers}
        compared = [s for s in servers if s.name != "ours-nocache"]
        checks = []
        for shape, (query, accept) in RAW.items():
            sizes = []
            for server in compared:
                status, body, _ = fetch(server, server.endpoint + sparql_path(query), accept)
                sizes.append(f"{server.name}: {status}/{answer_size(body, accept)}")
            checks.append(f"{shape}: " + ", ".join(sizes))
        for shape, path in NAMED.items():
            status, body, _ = fetch(by_name["ours"], path, JSON)
            checks.append(f"{shape}: ours: {status}/{answer_size(body, JSON)}")
        extras["checks"][size] = checks
        for line in checks:
            log("check " + line)
        for mode in ("uncached", "repeated"):
            for conc in CONCURRENCIES:
                for shape, (query, accept) in RAW.items():
                    for server in compared:
                        wrk.run(
                            size,
                            shape,
                            mode,
                            conc,
                            server,
                            server.endpoint + sparql_path(query),
                            {"Accept": accept},
                        )
                for shape, path in NAMED.items():
                    server = by_name["ours" if mode == "repeated" else "ours-nocache"]
                    # Named queries are not varied (a LIMIT would change a parameter): the
                    # uncached runs go to the server whose cache is off.
                    wrk.run(size, shape, mode, conc, server, path, {"Accept": JSON}, vary=False)
        if size == "real" and side_runs:
            extras["gzip"] = []
            for server in (by_name["ours"], by_name["oxigraph"]):
                for encoding in (None, "gzip"):
                    status, body, headers = fetch(
                        server, server.endpoint + sparql_path(LARGE), JSON, encoding
                    )
                    h = {"Accept": JSON, **({"Accept-Encoding": encoding} if encoding else {})}
                    r = wrk.run(
                        size,
                        "gzip-large",
                        "repeated",
                        8,
                        server,
                        server.endpoint + sparql_path(LARGE),
                        h,
                        tag="-gzip" if encoding else "-identity",
                    )
                    extras["gzip"].append(
                        [
                            server.name,
                            encoding or "(none)",
                            f"{len(body):,}",
                            headers.get("Content-Encoding", headers.get("content-encoding", "–")),
                            f(r.rps),
                            f(r.p50_ms, 2),
                        ]
                    )
        extras["servers"][size] = {s.name: (s.startup_s, s.rss_mb()) for s in servers}
    finally:
        for server in servers:
            server.stop()
    if size == "real" and side_runs:
        # Scaling to two server processes, at c=8: each with its 2 query workers (the default),
        # and each with 1 (the same 2 query processes in all as one server has).
        two_servers = against_ours(
            wrk,
            size,
            out_dir,
            extras,
            "ours-2workers",
            "ours --workers 2",
            (8,),
            data.ours_store,
            "--workers",
            "2",
        )
        two_servers_one_each = against_ours(
            wrk,
            size,
            out_dir,
            extras,
            "ours-2workers-1qw",
            "ours --workers 2 --query-workers 1",
            (8,),
            data.ours_store,
            "--workers",
            "2",
            "--query-workers",
            "1",
        )
        extras["workers"] = [
            (shape, one, two, two_b)
            for (shape, _c, one, two), (_s, _c2, _one, two_b) in zip(
                two_servers, two_servers_one_each, strict=True
            )
        ]
        # What killable execution costs: the same uncached runs evaluated on threads of the
        # server process (--query-workers 0: nothing can stop a runaway query there).
        extras["isolation"] = against_ours(
            wrk,
            size,
            out_dir,
            extras,
            "ours-inprocess",
            "ours --query-workers 0",
            (1, 8),
            data.ours_store,
            "--query-workers",
            "0",
        )

        def capped_at(name: str, cap: str) -> Server:
            server = ours(name, data.ours_store, "--result-cap", cap)
            server.start(out_dir)
            return server

        log("large results: 1 M rows streamed and held whole")
        extras["streaming"] = streaming.measure(capped_at, out_dir)
    extras["engine"][size] = engine_times(data.ours_store)


def against_ours(
    wrk: "Wrk",
    size: str,
    out_dir: Path,
    extras: dict,
    name: str,
    label: str,
    concurrencies: tuple[int, ...],
    store: Path,
    *flags: str,
) -> list[tuple[str, int, float, float]]:
    """Our server started with ``flags``, on the uncached raw shapes: (shape, c, req/s of the
    default `ours` run, req/s with the flags) per shape and concurrency. ``name`` names its logs
    and raw files, ``label`` its row in the start-up and memory table."""
    server = ours(name, store, *flags)
    rows = []
    try:
        server.start(out_dir)
        for conc in concurrencies:
            for shape, (query, accept) in RAW.items():
                other = wrk.run(
                    size,
                    shape,
                    "uncached",
                    conc,
                    server,
                    server.endpoint + sparql_path(query),
                    {"Accept": accept},
                )
                default = next(
                    r
                    for r in wrk.runs
                    if (r.size, r.shape, r.mode, r.conc, r.server)
                    == (size, shape, "uncached", conc, "ours")
                )
                rows.append((shape, conc, default.rps, other.rps))
        extras["servers"][size][label] = (server.startup_s, server.rss_mb())
    finally:
        server.stop()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description="sousei-kg vs oxigraph serve vs rdflib-endpoint")
    parser.add_argument("--quick", action="store_true", help="real size only, 2 s per wrk run")
    parser.add_argument("--sizes", default=None, help="comma-separated: real,1m,10m (default real)")
    parser.add_argument(
        "--duration", type=float, default=None, help="seconds per wrk run (2 quick, 5)"
    )
    parser.add_argument("--max-requests", type=int, default=500_000, help="per wrk thread and run")
    parser.add_argument(
        "--shapes",
        default=None,
        help="comma-separated raw shapes and named queries (nq:…) to run (default: all)",
    )
    parser.add_argument("--conc", default=None, help="comma-separated concurrencies (default 1,8)")
    parser.add_argument(
        "--clients",
        type=int,
        default=8,
        help="clients wrk's requests come from, by X-Forwarded-For (default 8; 1: one client, "
        "with ours' fair-share limits relaxed)",
    )
    parser.add_argument(
        "--no-extras",
        action="store_true",
        help="skip gzip, --workers, --query-workers 0 and large results (a smoke test)",
    )
    parser.add_argument(
        "--reuse-stores",
        action="store_true",
        help="serve the stores an earlier run built for each size instead of building them again",
    )
    parser.add_argument(
        "--settle",
        type=float,
        default=120.0,
        help="at most this many seconds before each run waiting for idle CPUs (default 120)",
    )
    args = parser.parse_args()
    if args.shapes:
        chosen = set(args.shapes.split(","))
        unknown_shapes = chosen - set(RAW) - set(NAMED)
        if unknown_shapes:
            parser.error(f"unknown shape(s): {', '.join(sorted(unknown_shapes))}")
        for table in (RAW, NAMED):
            for name in [n for n in table if n not in chosen]:
                del table[name]
    if args.conc:
        CONCURRENCIES[:] = [int(c) for c in args.conc.split(",")]
    global CLIENTS
    CLIENTS = max(1, args.clients)
    sizes = (args.sizes or "real").split(",")
    if args.quick:
        sizes = ["real"]
    if args.duration is None:
        args.duration = 2.0 if args.quick else 5.0
    unknown = set(sizes) - set(SIZES)
    if unknown:
        parser.error(f"unknown size(s): {', '.join(sorted(unknown))}")
    setup()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out_dir = RESULTS / stamp
    out_dir.mkdir(parents=True)
    wrk_version = (
        subprocess.run(["wrk", "-v"], capture_output=True, text=True)
        .stdout.split("\n")[0]
        .split(" [")[0]
    )
    extras: dict = {
        "sizes": sizes,
        "quads": {},
        "loads": {},
        "servers": {},
        "checks": {},
        "engine": {},
        "wrk_version": wrk_version.replace("wrk ", ""),
    }
    wrk = Wrk(out_dir, args.duration, args.max_requests, args.settle)
    started = time.perf_counter()
    for size in sizes:
        bench_size(
            size, wrk, extras, out_dir, side_runs=not args.no_extras, reuse=args.reuse_stores
        )
    (out_dir / "extras.json").write_text(json.dumps(extras, indent=1, default=str))
    text, _ = report(wrk.runs, extras, args, stamp)
    checks = ["## Answer checks (status/rows per server before the runs)", ""]
    for size, lines in extras["checks"].items():
        checks += [f"- {size}: {line}" for line in lines]
    text += (
        "\n" + "\n".join(checks) + f"\n\nTotal run time: {time.perf_counter() - started:.0f} s.\n"
    )
    (out_dir / "results.md").write_text(text)
    (out_dir / "runs.json").write_text(json.dumps([r.__dict__ for r in wrk.runs], indent=1))
    partial = bool(args.shapes or args.conc or args.no_extras)
    if not partial:  # a narrowed run (a smoke test) does not replace the full table
        (RESULTS / "latest.md").write_text(text.replace("`raw/", f"`{stamp}/raw/"))
    print(text)
    log(f"written {out_dir / 'results.md'}" + ("" if partial else f" and {RESULTS / 'latest.md'}"))


if __name__ == "__main__":
    main()
