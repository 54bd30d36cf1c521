"""Synthetic scale-out data for the benchmark: every municipality's local strategy as RDF.

1,741 municipalities and 47 prefectures, each with a local strategy (地方版総合戦略), local goals
with KPIs, measures that contribute to the goals and are the responsibility of the municipality,
and yearly KPI observations as an RDF Data Cube (``qb:Observation`` with
``sdmx-dimension:refArea``, ``sdmx-dimension:refPeriod`` and ``sdmx-measure:obsValue``).

Every IRI is minted under ``https://example.org/sousei-kg-bench/``: nothing here is under
``https://w3id.org/sousei-kg/id/`` and nothing is written into ``data/``. The vocabulary terms of
``https://w3id.org/sousei-kg/def#`` are used so the server's queries see the same shapes.

    python bench/generate.py --triples 1000000 --output bench/data/synthetic-1m.nq

The size is reached by scaling the number of KPIs (and measures, four per KPI) per area; the
exact count is printed and written to ``<output>.count``.
"""

import argparse
import random
import sys
import time
from pathlib import Path

BENCH = "https://example.org/sousei-kg-bench/"
ID = BENCH + "id/"
GRAPH = f"<{BENCH}graph/synthetic>"
MUNICIPALITIES = 1741
PREFECTURES = 47
YEARS = range(2020, 2030)  # FY2020 (baselines) .. FY2029 (end of the strategy period)
GOALS_PER_AREA = 4
MEASURES_PER_KPI = 4

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
PREF = "<http://www.w3.org/2004/02/skos/core#prefLabel>"
NOTATION = "<http://www.w3.org/2004/02/skos/core#notation>"
S = "https://w3id.org/sousei-kg/def#"
QB = "http://purl.org/linked-data/cube#"
SDMX_DIM = "http://purl.org/linked-data/sdmx/2009/dimension#"
SDMX_MEAS = "http://purl.org/linked-data/sdmx/2009/measure#"
ORG = "<http://www.w3.org/ns/org#Organization>"
XSD = "http://www.w3.org/2001/XMLSchema#"
BENCH_DEF = BENCH + "def#"

TOPICS = [
    ("交通", "transport"),
    ("子育て", "child-rearing"),
    ("観光", "tourism"),
    ("農業", "agriculture"),
    ("移住", "relocation"),
    ("医療", "healthcare"),
    ("防災", "disaster prevention"),
    ("デジタル", "digital"),
    ("雇用", "employment"),
    ("教育", "education"),
]


def per_area(kpis: int) -> int:
    """Triples written for one area with ``kpis`` KPIs (see :func:`write_area`)."""
    area, strategy = 5, 4
    goals = GOALS_PER_AREA * 4
    kpi = 5 + len(YEARS) * 6
    measures = MEASURES_PER_KPI * 6
    return area + strategy + goals + kpis * (kpi + measures)


def kpis_for(target: int) -> int:
    areas = MUNICIPALITIES + PREFECTURES
    fixed = areas * per_area(0) + 20
    return max(1, round((target - fixed) / (areas * (per_area(1) - per_area(0)))))


def lit(text: str, lang: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"@' + lang


def write_area(out, index: int, prefecture: int | None, kpis: int, rng: random.Random) -> int:
    """Write one area (a prefecture when ``prefecture`` is None) and return its triple count."""
    lines: list[str] = []

    def t(s: str, p: str, o: str) -> None:
        lines.append(f"{s} {p} {o} {GRAPH} .\n")

    if prefecture is None:
        code = f"{index + 1:02d}0000"
        area = f"<{ID}area/{code}>"
        name_ja, name_en = f"県{index + 1:02d}", f"Prefecture {index + 1:02d}"
        parent = f"<{ID}area/japan>"
    else:
        code = f"{prefecture + 1:02d}{index:04d}"
        area = f"<{ID}area/{code}>"
        name_ja, name_en = f"市町村{code}", f"Municipality {code}"
        parent = f"<{ID}area/{prefecture + 1:02d}0000>"
    t(area, RDF_TYPE, ORG)
    t(area, PREF, lit(name_ja, "ja"))
    t(area, PREF, lit(name_en, "en"))
    t(area, NOTATION, f'"{code}"')
    t(area, f"<{BENCH_DEF}partOf>", parent)
    strategy = f"<{ID}strategy/{code}>"
    t(strategy, RDF_TYPE, f"<{S}Strategy>")
    t(strategy, PREF, lit(f"{name_ja}まち・ひと・しごと創生総合戦略", "ja"))
    t(strategy, f"<{BENCH_DEF}forArea>", area)
    t(strategy, f"<{BENCH_DEF}period>", '"FY2025-FY2029"')
    goals = []
    for g in range(GOALS_PER_AREA):
        goal = f"<{ID}goal/{code}-{g + 1}>"
        goals.append(goal)
        topic_ja, topic_en = TOPICS[(index + g) % len(TOPICS)]
        t(goal, RDF_TYPE, f"<{S}PolicyGoal>")
        t(goal, PREF, lit(f"{name_ja} 基本目標{g + 1} {topic_ja}", "ja"))
        t(goal, f"<{S}contributesTo>", strategy)
        t(goal, NOTATION, f'"{g + 1}"')
    dataset = f"<{ID}dataset/kpi-observations>"
    for k in range(kpis):
        goal = goals[k % GOALS_PER_AREA]
        kpi = f"<{ID}indicator/{code}-{k + 1}>"
        topic_ja, topic_en = TOPICS[(index + k) % len(TOPICS)]
        t(goal, f"<{S}hasKPI>", kpi)
        t(kpi, RDF_TYPE, f"<{S}Indicator>")
        t(kpi, PREF, lit(f"{name_ja} {topic_ja}のKPI {k + 1}", "ja"))
        t(kpi, PREF, lit(f"{name_en} {topic_en} KPI {k + 1}", "en"))
        t(kpi, f"<{BENCH_DEF}unit>", '"件"')
        value = rng.uniform(10, 1000)
        for year in YEARS:
            obs = f"<{ID}obs/{code}-{k + 1}-{year}>"
            value *= rng.uniform(0.95, 1.08)
            t(obs, RDF_TYPE, f"<{QB}Observation>")
            t(obs, f"<{QB}dataSet>", dataset)
            t(obs, f"<{SDMX_DIM}refArea>", area)
            t(obs, f"<{SDMX_DIM}refPeriod>", f'"{year}"^^<{XSD}gYear>')
            t(obs, f"<{SDMX_MEAS}obsValue>", f'"{value:.2f}"^^<{XSD}decimal>')
            t(obs, f"<{BENCH_DEF}indicator>", kpi)
        for m in range(MEASURES_PER_KPI):
            measure = f"<{ID}measure/{code}-{k + 1}-{m + 1}>"
            t(measure, RDF_TYPE, f"<{S}Measure>")
            t(measure, PREF, lit(f"{name_ja} {topic_ja}施策 {k + 1}-{m + 1}", "ja"))
            t(measure, PREF, lit(f"{name_en} {topic_en} measure {k + 1}-{m + 1}", "en"))
            t(measure, f"<{S}contributesTo>", goal)
            t(measure, f"<{S}responsibleOrganization>", area)
            t(measure, f"<{BENCH_DEF}strategy>", strategy)
    out.write("".join(lines))
    return len(lines)


def generate(target: int, output: Path, seed: int = 2025) -> int:
    if str(output.resolve()).startswith(str((Path(__file__).parent.parent / "data").resolve())):
        raise SystemExit("refusing to write synthetic data into data/")
    rng = random.Random(seed)
    kpis = kpis_for(target)
    output.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with output.open("w", encoding="utf-8") as out:
        dataset = f"<{ID}dataset/kpi-observations>"
        header = [
            (dataset, RDF_TYPE, f"<{QB}DataSet>"),
            (dataset, PREF, lit("地方版総合戦略 KPI 実績値（合成データ）", "ja")),
            (dataset, PREF, lit("Local strategy KPI observations (synthetic)", "en")),
            (f"<{ID}area/japan>", RDF_TYPE, ORG),
            (f"<{ID}area/japan>", PREF, lit("日本", "ja")),
        ]
        for s, p, o in header:
            out.write(f"{s} {p} {o} {GRAPH} .\n")
        count += len(header)
        for pref in range(PREFECTURES):
            count += write_area(out, pref, None, kpis, rng)
        for muni in range(MUNICIPALITIES):
            count += write_area(out, muni + 1, muni % PREFECTURES, kpis, rng)
    output.with_suffix(output.suffix + ".count").write_text(f"{count}\n")
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=float, default=1e6, help="target size (1e6, 1e7)")
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args()
    start = time.perf_counter()
    count = generate(int(args.triples), args.output)
    print(f"{count} quads -> {args.output} in {time.perf_counter() - start:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
