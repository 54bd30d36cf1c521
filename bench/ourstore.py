"""Build a sousei-kg store that also holds synthetic data (the CLI cannot do this itself).

``sousei-kg build`` loads only the shipped files (and validates them with SHACL). For the scale-out
sizes this helper runs ``sousei-kg build --store DIR`` (the real graph, validated), then bulk-loads
the synthetic N-Quads into the built store with pyoxigraph and rewrites the manifest, so
``sousei-kg serve --store DIR`` opens it like any built store; its label index and its statistics
(``DIR/statistics.json``, which a server above a million quads describes the dataset by, never
counting on a request) are made again for the store as it is. Each phase is timed and printed as
JSON on the last line of standard output.

The version hash of such a store is *not* the RDFC-1.0 hash ``sousei-kg build`` computes (that
canonicalises the whole dataset in memory, which is not practical at 10 M quads): it is the SHA-256
of the real graph's hash and the synthetic file's bytes. What the CLI lacks: ``sousei-kg build
--extra FILE`` (load more files, unvalidated, into their graphs) and a streaming version hash.

    python bench/ourstore.py --store bench/data/stores/ours-1m --extra bench/data/synthetic-1m.nq
"""

import argparse
import hashlib
import json
import resource
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from pyoxigraph import RdfFormat, Store

from sousei_kg.publication.statistics import count_statistics_offline
from sousei_kg.publication.statistics_record import write_statistics_file
from sousei_kg.store.directory import OXIGRAPH_DIR, read_manifest, write_manifest
from sousei_kg.store.label_index import build_index_file


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--extra", type=Path, default=None, help="N-Quads file to add")
    parser.add_argument("--graph", default="https://example.org/sousei-kg-bench/graph/synthetic")
    args = parser.parse_args()
    cli = Path(sys.executable).with_name("sousei-kg")
    times: dict[str, float] = {}
    start = time.perf_counter()
    subprocess.run(
        [str(cli), "build", "--store", str(args.store)], check=True, stdout=subprocess.DEVNULL
    )
    times["build_real_s"] = time.perf_counter() - start
    if args.extra is not None:
        manifest = read_manifest(args.store)
        start = time.perf_counter()
        store = Store(str(args.store / OXIGRAPH_DIR))
        store.bulk_load(path=str(args.extra), format=RdfFormat.N_QUADS)
        store.flush()
        times["bulk_load_extra_s"] = time.perf_counter() - start
        start = time.perf_counter()
        total = len(store)
        del store
        extra = total - manifest.quad_count
        graphs = {**manifest.graphs, args.graph: extra}
        version = hashlib.sha256(
            (manifest.version_hash + file_sha256(args.extra)).encode()
        ).hexdigest()
        write_manifest(
            args.store,
            replace(
                manifest,
                version_hash=version,
                quad_count=total,
                graphs=dict(sorted(graphs.items())),
            ),
        )
        times["manifest_s"] = time.perf_counter() - start
        # The label index `sousei-kg build` made holds the real graph's version: rebuild it for
        # the store as it is now (issue 20), as a writer would at its start.
        start = time.perf_counter()
        store = Store.read_only(str(args.store / OXIGRAPH_DIR))
        times["label_index_labels"] = build_index_file(args.store, store, version)
        times["label_index_s"] = time.perf_counter() - start
        # The statistics `sousei-kg build` counted are the real graph's: count them again (the
        # union graph without holding it), so the descriptions of this version have them.
        start = time.perf_counter()
        write_statistics_file(
            args.store, count_statistics_offline(store, read_manifest(args.store))
        )
        del store
        times["statistics_s"] = time.perf_counter() - start
    times["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    times["total_s"] = sum(v for k, v in times.items() if k.endswith("_s"))
    print(json.dumps(times))


if __name__ == "__main__":
    main()
