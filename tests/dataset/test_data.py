"""Every item the strategy summary states is in the graph, with the right links and labels.

The expectations below are written from the summary (地方創生に関する総合戦略の概要), not generated from the data:
if the data drifts from the source, these tests say where (issue 2, "Tests").
"""

from collections.abc import Iterator

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, QuerySolutions, Store, Variable

from sousei_kg.dataset.graph_naming import load_shipped
from sousei_kg.store.directory import open_store
from sousei_kg.store.query import run_query

ID = "https://w3id.org/sousei-kg/id/"
STRATEGY_GRAPH = "https://w3id.org/sousei-kg/graph/strategy-2025"
CURATION_GRAPH = "https://w3id.org/sousei-kg/graph/curation"

GOALS = {
    "1": (
        "強い経済",
        "自立的で持続的に成長する「稼げる」経済の創出により、新たな人を呼び込む地方経済。",
        "東京圏以外における就業者一人当たり年間付加価値労働生産性の伸び率",
    ),
    "2": (
        "豊かな生活環境",
        "生きがいをもって働き、安心して暮らし続けられる生活環境を構築し、魅力と活力を創出する地方の生活環境。",
        "生活インフラの質の維持や暮らしへの安心感により、地域での生活がこれから良くなっていくと思う人の割合",
    ),
    "3": (
        "選ばれる地方",
        "強い経済と豊かな生活環境の基盤の上に創り出される、若者や女性にも選ばれ、一人一人が幸せを実感でき、"
        "自己実現を図っていくことができる活力ある地方。",
        "東京圏以外で暮らすことを希望し実現できている、若者や女性の人数及び割合",
    ),
}

# notation: (label, declared indicator count, goal)
OUTCOMES = {
    "A": ("地域における高付加価値型産業創出", 4, "1"),
    "B": ("地域の人材力強化", 1, "1"),
    "C": ("持続可能な生活インフラの実現", 2, "2"),
    "D": ("地域の暮らしの満足感向上", 2, "2"),
    "E": ("魅力が感じられる地方の実現", 3, "3"),
}

# notation: (label, outcome)
OUTPUTS = {
    "a": ("地域資源の活用促進", "A"),
    "b": ("GX・DXの推進", "A"),
    "c": ("産業の地方移転・産業立地促進", "A"),
    "d": ("中小企業等の稼ぐ力の強化", "A"),
    "e": ("スタートアップの創出促進", "A"),
    "f": ("地場産品の輸出促進", "A"),
    "g": ("インバウンド促進", "A"),
    "h": ("人材育成・リスキリング促進", "B"),
    "i": ("公共交通の維持", "C"),
    "j": ("買物環境の維持", "C"),
    "k": ("インフラの維持", "C"),
    "l": ("災害対応の強化の促進", "C"),
    "m": ("満足できる子育て・医療・介護・福祉サービスの実現", "D"),
    "n": ("持続可能なまちづくり", "D"),
    "o": ("多様性に富んだ地方の実現", "E"),
    "p": ("教育環境整備の推進", "E"),
    "q": ("都市と地方の共生の実現", "E"),
    "r": ("地方への移住推進", "E"),
}

# level: (label, definition, declared items, declared indicators)
LEVELS = {
    "impact": ("インパクト", "政策目標", 3, 3),
    "outcome": ("アウトカム", "国民・企業等の動き", 5, 12),
    "output": ("アウトプット", "関連施策の成果", 18, 44),
}

# group: declared measure count
GROUPS = {"goal-1": 132, "goal-2": 118, "goal-3": 62, "national-role": 19}

# Every measure the summary names (the long form of the 施策 lists), with its group.
MEASURES = {
    "goal-1": [
        "多様な地域資源をいかしたインバウンドの促進",
        "スマート農林水産業の推進",
        "伝統工芸品・地場産業の販路開拓等支援",
        "文化観光や文化施設（博物館・劇場等）の振興",
        "スポーツによる地域・経済の活性化",
        "ワット・ビット連携の推進",
        "GX・DX分野における大規模投資の促進",
        "本社機能の地方移転・拡充の更なる促進",
        "地域金融力の強化を通じた中小企業等の支援",
        "産学官連携によるオープンイノベーションの推進",
        "新規輸出1万者支援プログラム",
        "リスキリング支援",
    ],
    "goal-2": [
        "「交通空白」の解消等に向けた地域交通のリ・デザインの全面展開",
        "新たなモビリティサービスの社会実装の実現",
        "地域暮らしサービス拠点の形成",
        "ロボット配送の社会実装",
        "広域的な連携によるインフラの老朽化対策",
        "避難生活環境の整備",
        "オンライン診療等による地域医療提供体制の維持・確保",
        "事業者間の連携等による地域の介護・福祉サービス等の維持・確保",
        "にぎやかで持続可能な地域づくりの推進",
        "地域の持続可能性の確保に向けた郵便局の利活用推進",
        "日本版CCRCの展開",
        "スマートシティの推進",
    ],
    "goal-3": [
        "地域の働き方・職場改革の推進",
        "教育現場の意識改革の推進",
        "女性の起業支援",
        "地方大学・地域産業創生交付金の推進",
        "大学等の地方分散支援",
        "高校生の「地域留学」の推進",
        "学校と地域の連携・協働体制の構築等による人づくりの推進",
        "ふるさと住民登録制度の創設",
        "スモールコンセッションや空き家等を活用した二地域居住の推進",
        "プロフェッショナル人材事業の展開",
        "地方創生移住支援事業の展開",
    ],
    "national-role": [
        "地方創生伴走支援制度",
        "RESAS、RAIDAによる情報支援の強化",
        "地方創生における特区の再起動",
        "広域リージョン連携",
    ],
}

# Named only on the KPI page (under goal 1's 地域の人材力強化), in none of the four lists: a named
# measure whose group is our inference (graph/curation, Inferred).
KPI_PAGE_ONLY = {"デジタル人材の育成": "goal-1"}

# The KPI page lists these under an outcome heading, by these very names: a source-stated
# measure → outcome link.
KPI_PAGE = {
    "A": [
        "多様な地域資源をいかしたインバウンドの促進",
        "ワット・ビット連携の推進",
        "産学官連携によるオープンイノベーションの推進",
    ],
    "B": ["デジタル人材の育成", "リスキリング支援"],
    "C": [
        "「交通空白」の解消等に向けた地域交通のリ・デザインの全面展開",
        "新たなモビリティサービスの社会実装の実現",
        "地域暮らしサービス拠点の形成",
    ],
    "D": ["日本版CCRCの展開", "スマートシティの推進"],
    "E": ["地域の働き方・職場改革の推進", "女性の起業支援"],
}

# Short names on the KPI page that no list names: which measure each stands for is our reading
# (graph/curation, Inferred, with the rationale), and so is the link to the outcome.
SHORT_FORMS = {
    "地域医療提供体制の維持・確保": ("オンライン診療等による地域医療提供体制の維持・確保", "D"),
    "地方大学・地域産業創生交付金": ("地方大学・地域産業創生交付金の推進", "E"),
    "ふるさと住民登録制度": ("ふるさと住民登録制度の創設", "E"),
    "地方創生移住支援事業": ("地方創生移住支援事業の展開", "E"),
}

PROGRAMMES = [
    "RESAS",
    "RAIDA",
    "ふるさと住民登録制度",
    "地方創生伴走支援制度",
    "地方創生移住支援事業",
    "地方大学・地域産業創生交付金",
    "新規輸出1万者支援プログラム",
    "プロフェッショナル人材事業",
]
# measure (long form) → programme it involves (always a separate resource, under id/programme/;
# a measure listed by a programme's very name involves that programme, issue 17)
PROMOTES = {
    "地方大学・地域産業創生交付金の推進": ["地方大学・地域産業創生交付金"],
    "ふるさと住民登録制度の創設": ["ふるさと住民登録制度"],
    "地方創生移住支援事業の展開": ["地方創生移住支援事業"],
    "プロフェッショナル人材事業の展開": ["プロフェッショナル人材事業"],
    "RESAS、RAIDAによる情報支援の強化": ["RESAS", "RAIDA"],
    "地方創生伴走支援制度": ["地方創生伴走支援制度"],
    "新規輸出1万者支援プログラム": ["新規輸出1万者支援プログラム"],
}
# The measures that were typed Measure and Programme keep their IRIs; the programmes got new ones.
SPLIT = {
    "measure/accompanying-support-system": "programme/accompanying-support-system",
    "measure/new-export-support-10000-companies": "programme/new-export-support",
}

PREFIXES = """PREFIX sousei: <https://w3id.org/sousei-kg/def#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
"""


@pytest.fixture(scope="module")
def store() -> Iterator[Store]:
    """The shipped ontology, shapes and data, each file in its graph."""
    store = open_store(None)
    load_shipped(store)
    yield store


def select(store: Store, query: str, **params: NamedNode | Literal) -> list[dict[str, str]]:
    """Run a SELECT over the union graph; each row maps variable names to lexical values."""
    solutions = run_query(store, PREFIXES + query, params)
    assert isinstance(solutions, QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [
        {name: row[Variable(name)].value for name in names if row[Variable(name)] is not None}
        for row in solutions
    ]


def resource_by_label(store: Store, label: str, type_: str) -> str:
    rows = select(
        store,
        "SELECT ?s ?label ?type WHERE { ?s a ?type ; skos:prefLabel ?label }",
        label=Literal(label, language="ja"),
        type=NamedNode(f"https://w3id.org/sousei-kg/def#{type_}"),
    )
    # ?label and ?type are bound by substitution, so they must be projected: keep the query honest.
    assert len(rows) == 1, f"expected one {type_} labelled {label!r}, found {len(rows)}"
    return rows[0]["s"]


def test_goals_with_descriptions_and_kpis(store: Store) -> None:
    for notation, (label, description, kpi) in GOALS.items():
        rows = select(
            store,
            """SELECT ?notation ?goal ?label ?description ?kpiLabel ?level WHERE {
                ?goal a sousei:PolicyGoal ; skos:notation ?notation ; skos:prefLabel ?label ;
                    skos:definition ?description ; sousei:hasKPI ?kpi ; sousei:level ?level .
                ?kpi a sousei:Indicator ; skos:prefLabel ?kpiLabel .
                FILTER(lang(?label) = "ja" && lang(?kpiLabel) = "ja" && lang(?description) = "ja")
            }""",
            notation=Literal(notation),
        )
        assert len(rows) == 1, notation
        assert rows[0]["goal"] == f"{ID}goal/{notation}"
        assert rows[0]["label"] == label
        assert rows[0]["description"] == description
        assert rows[0]["kpiLabel"] == kpi
        assert rows[0]["level"] == f"{ID}level/impact"
    kpi_iris = select(store, "SELECT ?kpi WHERE { ?g sousei:hasKPI ?kpi }")
    assert sorted(r["kpi"] for r in kpi_iris) == [
        f"{ID}indicator/goal-{n}-kpi" for n in ("1", "2", "3")
    ]


def test_outcomes_with_counts_and_goals(store: Store) -> None:
    rows = select(
        store,
        """SELECT ?notation ?label ?count ?goalNotation WHERE {
            ?o a sousei:Outcome ; skos:notation ?notation ; skos:prefLabel ?label ;
               sousei:declaredIndicatorCount ?count ; sousei:contributesTo ?goal ;
               sousei:level <https://w3id.org/sousei-kg/id/level/outcome> .
            ?goal skos:notation ?goalNotation . FILTER(lang(?label) = "ja")
        }""",
    )
    found = {r["notation"]: (r["label"], int(r["count"]), r["goalNotation"]) for r in rows}
    assert found == OUTCOMES
    assert len(rows) == len(OUTCOMES)


def test_outputs_with_outcomes(store: Store) -> None:
    rows = select(
        store,
        """SELECT ?output ?notation ?label ?outcomeNotation WHERE {
            ?output a sousei:Output ; skos:notation ?notation ; skos:prefLabel ?label ;
               sousei:contributesTo ?outcome ; sousei:level <https://w3id.org/sousei-kg/id/level/output> .
            ?outcome a sousei:Outcome ; skos:notation ?outcomeNotation . FILTER(lang(?label) = "ja")
        }""",
    )
    assert {r["notation"]: (r["label"], r["outcomeNotation"]) for r in rows} == OUTPUTS
    assert all(r["output"] == f"{ID}output/{r['notation']}" for r in rows)
    assert len(rows) == 18


def test_output_indicators_are_not_broken_down(store: Store) -> None:
    """The summary gives 44 output indicators in total, not per output: no per-output count."""
    rows = select(
        store, "SELECT ?o WHERE { ?o a sousei:Output ; sousei:declaredIndicatorCount ?n }"
    )
    assert rows == []


def test_levels_with_definitions_and_counts(store: Store) -> None:
    for slug, (label, definition, items, indicators) in LEVELS.items():
        rows = select(
            store,
            """SELECT ?level ?label ?definition ?items ?indicators WHERE {
                ?level a sousei:LogicModelLevel ; skos:prefLabel ?label ; skos:definition ?definition ;
                    sousei:declaredItemCount ?items ; sousei:declaredIndicatorCount ?indicators .
                FILTER(lang(?label) = "ja")
            }""",
            level=NamedNode(f"{ID}level/{slug}"),
        )
        assert rows == [
            {
                "level": f"{ID}level/{slug}",
                "label": label,
                "definition": definition,
                "items": str(items),
                "indicators": str(indicators),
            }
        ]
    notes = select(
        store,
        "SELECT ?note WHERE { <https://w3id.org/sousei-kg/id/level/output> skos:scopeNote ?note }",
    )
    assert notes == [{"note": "政府が直接コントロールできる部分 ※地方公共団体の施策は含まない"}]
    external = select(
        store, 'SELECT ?c WHERE { ?c skos:prefLabel "経済・社会等の変化"@ja ; skos:inScheme ?s }'
    )
    assert len(external) == 1


def test_measure_groups_and_total(store: Store) -> None:
    rows = select(
        store,
        """SELECT ?group ?count ?goal WHERE {
            ?group a sousei:MeasureGroup ; sousei:declaredMeasureCount ?count .
            OPTIONAL { ?group sousei:forGoal ?goal }
        }""",
    )
    assert {r["group"].removeprefix(f"{ID}measure-group/"): int(r["count"]) for r in rows} == GROUPS
    for r in rows:
        slug = r["group"].removeprefix(f"{ID}measure-group/")
        expected_goal = None if slug == "national-role" else f"{ID}goal/{slug[-1]}"
        assert r.get("goal") == expected_goal
    total = select(
        store,
        "SELECT ?n WHERE { <https://w3id.org/sousei-kg/id/strategy/2025> sousei:declaredMeasureCount ?n }",
    )
    assert total == [{"n": "331"}]


def test_every_named_measure_in_its_group(store: Store) -> None:
    """The source graph lists each measure where the summary lists it (39 in the four lists); the
    40th, named only on the KPI page, is placed in a group by our inference, in graph/curation."""
    stated = select(
        store,
        """SELECT ?measure ?label ?group WHERE {
            GRAPH <https://w3id.org/sousei-kg/graph/strategy-2025> {
              ?measure a sousei:Measure ; skos:prefLabel ?label ; sousei:listedUnder ?group .
              ?group skos:member ?measure }
            FILTER(lang(?label) = "ja")
        }""",
    )
    found = {r["label"]: r["group"].removeprefix(f"{ID}measure-group/") for r in stated}
    expected = {label: group for group, labels in MEASURES.items() for label in labels}
    assert len(expected) == 39
    assert found == expected
    assert len([r for r in stated if r["group"].endswith("/goal-1")]) == 12
    rows = select(
        store,
        """SELECT ?measure ?label ?group WHERE {
            ?measure a sousei:Measure ; skos:prefLabel ?label ; sousei:listedUnder ?group .
            FILTER(lang(?label) = "ja")
        }""",
    )
    assert len(rows) == 40
    for label, group in KPI_PAGE_ONLY.items():
        inferred = select(
            store,
            """SELECT ?label ?group ?confidence ?note WHERE {
              GRAPH <https://w3id.org/sousei-kg/graph/curation> {
                ?m sousei:listedUnder ?group .
                ?a rdf:subject ?m ; rdf:predicate sousei:listedUnder ; rdf:object ?group ;
                   sousei:confidence ?confidence ; skos:editorialNote ?note }
              ?m skos:prefLabel ?label }""",
            label=Literal(label, language="ja"),
        )
        assert [r["group"] for r in inferred] == [f"{ID}measure-group/{group}"]
        assert inferred[0]["confidence"].endswith("#Inferred")
        assert "KPI page" in inferred[0]["note"]
    for r in rows:
        assert r["measure"].startswith(f"{ID}measure/")
        slug = r["measure"].removeprefix(f"{ID}measure/")
        assert slug.isascii() and slug == slug.lower() and " " not in slug


def test_kpi_page_links_are_source_stated(store: Store) -> None:
    for notation, labels in KPI_PAGE.items():
        for label in labels:
            rows = select(
                store,
                """SELECT ?outcome ?label WHERE {
                    GRAPH <https://w3id.org/sousei-kg/graph/strategy-2025> {
                        ?m skos:prefLabel ?label ; sousei:contributesTo ?outcome .
                    }
                    ?outcome a sousei:Outcome .
                }""",
                label=Literal(label, language="ja"),
            )
            assert [r["outcome"] for r in rows] == [f"{ID}outcome/{notation}"], label
    source_links = select(
        store,
        """SELECT ?m ?o WHERE { GRAPH <https://w3id.org/sousei-kg/graph/strategy-2025> {
            ?m a sousei:Measure ; sousei:contributesTo ?o } }""",
    )
    assert len(source_links) == sum(len(v) for v in KPI_PAGE.values())
    alt_labels = select(
        store,
        """SELECT ?m ?alt WHERE { GRAPH <https://w3id.org/sousei-kg/graph/strategy-2025> {
            ?m a sousei:Measure ; skos:altLabel ?alt } }""",
    )
    assert alt_labels == [], "the summary gives no measure a second name"


def test_short_forms_are_our_inference(store: Store) -> None:
    """The KPI page's short names are matched to the long-form measures in graph/curation, as
    Inferred, with the rationale naming the short form; the link to the outcome comes with it."""
    for short, (long, notation) in SHORT_FORMS.items():
        measure = resource_by_label(store, long, "Measure")
        rows = select(
            store,
            """SELECT ?m ?outcome ?confidence ?note WHERE {
              GRAPH <https://w3id.org/sousei-kg/graph/curation> {
                ?m sousei:contributesTo ?outcome .
                ?a rdf:subject ?m ; rdf:predicate sousei:contributesTo ; rdf:object ?outcome ;
                   sousei:confidence ?confidence ; skos:editorialNote ?note }
              ?outcome a sousei:Outcome }""",
            m=NamedNode(measure),
        )
        assert [r["outcome"] for r in rows] == [f"{ID}outcome/{notation}"], long
        assert rows[0]["confidence"].endswith("#Inferred")
        assert f"「{short}」" in rows[0]["note"]
    # A short name that is a programme's own name is not also given to the measure.
    programme_names = select(
        store,
        """SELECT ?m ?label WHERE { ?m a sousei:Measure ; skos:altLabel ?label .
            ?p a sousei:Programme ; skos:prefLabel ?label }""",
    )
    assert programme_names == []


def test_programmes_and_their_measures(store: Store) -> None:
    rows = select(
        store,
        """SELECT ?p ?label WHERE { ?p a sousei:Programme ; skos:prefLabel ?label .
            FILTER(lang(?label) = "ja") }""",
    )
    assert sorted(r["label"] for r in rows) == sorted(PROGRAMMES)
    assert all(r["p"].startswith(f"{ID}programme/") for r in rows)
    both = select(store, "SELECT ?r WHERE { ?r a sousei:Measure , sousei:Programme }")
    assert both == []
    for measure, programme in SPLIT.items():
        rows = select(
            store,
            "SELECT ?m ?p WHERE { ?m a sousei:Measure ; sousei:involvesProgramme ?p }",
            m=NamedNode(ID + measure),
        )
        assert [r["p"] for r in rows] == [ID + programme]
    for measure_label, programme_labels in PROMOTES.items():
        measure = resource_by_label(store, measure_label, "Measure")
        rows = select(
            store,
            """SELECT ?m ?label WHERE { ?m sousei:involvesProgramme ?p .
                ?p a sousei:Programme ; skos:prefLabel ?label . FILTER(lang(?label) = "ja") }""",
            m=NamedNode(measure),
        )
        assert sorted(r["label"] for r in rows) == sorted(programme_labels)
        itself_a_programme = select(
            store, "SELECT ?m WHERE { ?m a sousei:Programme }", m=NamedNode(measure)
        )
        assert itself_a_programme == [], f"{measure_label} promotes a programme, is not one"


def test_strategy_statements(store: Store) -> None:
    strategy = NamedNode(f"{ID}strategy/2025")
    notes = {
        r["note"] for r in select(store, "SELECT ?s ?note WHERE { ?s skos:note ?note }", s=strategy)
    }
    assert "各府省庁における地方創生のための具体的な事業を整理。" in notes
    assert any("工程表の作成・KPIの設定" in n for n in notes)
    assert any("PDCAサイクルを徹底し" in n for n in notes)
    assert any("（期間は2025年度～2029年度。）" in n for n in notes)
    title = select(
        store, "SELECT ?s ?t WHERE { ?s <http://purl.org/dc/terms/title> ?t }", s=strategy
    )
    assert [r["t"] for r in title] == [
        "地方創生に関する総合戦略～これまでの地方創生の取組のフォローアップと推進戦略～"
    ]
    amends = select(store, "SELECT ?s ?x WHERE { ?s sousei:amends ?x }", s=strategy)
    assert [r["x"] for r in amends] == [f"{ID}strategy/2023"]
    law = select(
        store,
        """SELECT ?s ?label WHERE { ?s sousei:legalBasis ?law .
            ?law skos:prefLabel ?label . FILTER(lang(?label) = "ja") }""",
        s=strategy,
    )
    assert [r["label"] for r in law] == ["まち・ひと・しごと創生法"]
    period = select(
        store,
        """SELECT ?s ?label WHERE { ?s <http://purl.org/dc/terms/temporal> ?p .
            ?p skos:prefLabel ?label . FILTER(lang(?label) = "ja") }""",
        s=strategy,
    )
    assert [r["label"] for r in period] == ["2025年度～2029年度"]


def test_predecessors_and_the_coming_strategy(store: Store) -> None:
    """The ※ note (策定後も基本的に毎年末に改訂) follows the paragraph on the comprehensive strategies
    made since 2014, so it is on both of them, and not on the new strategy."""
    revision = select(store, "SELECT ?s ?r WHERE { ?s sousei:revisionPractice ?r }")
    assert sorted((r["s"], r["r"]) for r in revision) == [
        (f"{ID}strategy/2014", "策定後も基本的に毎年末に改訂"),
        (f"{ID}strategy/2023", "策定後も基本的に毎年末に改訂"),
    ]
    label_2014 = select(
        store,
        """SELECT ?s ?label WHERE { ?s a sousei:Strategy ; skos:prefLabel ?label .
            FILTER(lang(?label) = "ja") }""",
        s=NamedNode(f"{ID}strategy/2014"),
    )
    assert [r["label"] for r in label_2014] == ["まち・ひと・しごと創生総合戦略"]
    coming = select(
        store,
        """SELECT ?s ?timing WHERE { ?s a sousei:Strategy ; skos:prefLabel "地域未来戦略"@ja ;
            sousei:plannedTiming ?timing }""",
    )
    assert [r["timing"] for r in coming] == ["来年夏を目処"]


def test_every_goal_2_measure_reaches_goal_2(store: Store) -> None:
    """Issue 2's "done when": contributesTo+ from goal 2's measures reaches goal 2, for all of them."""
    rows = select(
        store,
        """SELECT ?measure (EXISTS { ?measure sousei:contributesTo+ ?goal } AS ?reaches) WHERE {
            ?measure sousei:listedUnder <https://w3id.org/sousei-kg/id/measure-group/goal-2> .
            BIND(<https://w3id.org/sousei-kg/id/goal/2> AS ?goal)
        }""",
    )
    assert len(rows) == len(MEASURES["goal-2"])
    assert all(r["reaches"] == "true" for r in rows), rows


def test_english_labels_and_their_status(store: Store) -> None:
    """Every described resource has an English label; each is attributed, and ours are unofficial."""
    missing = select(
        store,
        """SELECT ?s WHERE {
            ?s a ?type . VALUES ?type { sousei:Measure sousei:PolicyGoal sousei:Outcome sousei:Output
                sousei:Programme sousei:MeasureGroup sousei:Indicator sousei:Strategy }
            FILTER NOT EXISTS { ?s skos:prefLabel ?en FILTER(lang(?en) = "en") }
        }""",
    )
    assert missing == []
    goal_1 = select(
        store,
        """SELECT ?confidence ?note WHERE {
            GRAPH <https://w3id.org/sousei-kg/graph/curation> {
              ?a rdf:subject <https://w3id.org/sousei-kg/id/goal/1> ; rdf:predicate skos:prefLabel ;
                 sousei:confidence ?confidence ; skos:editorialNote ?note }
        }""",
    )
    assert len(goal_1) == 1
    assert goal_1[0]["confidence"] == "https://w3id.org/sousei-kg/def#Inferred"
    assert "Unofficial" in goal_1[0]["note"]


def test_no_blank_nodes_in_data(store: Store) -> None:
    blank = [
        q for q in store if isinstance(q.subject, BlankNode) or isinstance(q.object, BlankNode)
    ]
    assert blank == []
    assert len(store) > 1000
