"""All 24 published instances parse, and match the counts in the benchmark README's table."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from scheduler.solver.curtois.evaluate import MIN_TOTAL_MINUTES, evaluate
from scheduler.solver.curtois.reader import parse_instance, read_instance

# README section 1: instance -> (days, staff, shift types, fixed days off, on-requests,
# off-requests, cover rows).
# fmt: off
TABLE = {
    1: (14, 8, 1, 8, 21, 5, 14),
    2: (14, 14, 2, 14, 50, 12, 28),
    3: (14, 20, 3, 20, 39, 25, 42),
    4: (28, 10, 2, 20, 52, 19, 56),
    5: (28, 16, 2, 32, 79, 27, 56),
    6: (28, 18, 3, 36, 87, 48, 84),
    7: (28, 20, 3, 40, 104, 64, 84),
    8: (28, 30, 4, 60, 139, 86, 112),
    9: (28, 36, 4, 72, 144, 88, 112),
    10: (28, 40, 5, 80, 210, 74, 140),
    11: (28, 50, 6, 100, 197, 139, 168),
    12: (28, 60, 10, 120, 294, 128, 280),
    13: (28, 120, 18, 240, 589, 252, 504),
    14: (42, 32, 4, 128, 266, 93, 168),
    15: (42, 45, 6, 180, 350, 140, 252),
    16: (56, 20, 3, 120, 177, 103, 168),
    17: (56, 32, 4, 160, 351, 129, 224),
    18: (84, 22, 3, 176, 322, 92, 252),
    19: (84, 40, 5, 320, 587, 247, 420),
    20: (182, 50, 6, 900, 1665, 653, 1092),
    21: (182, 100, 8, 1800, 3210, 1492, 1456),
    22: (364, 50, 10, 1800, 3253, 1385, 3640),
    23: (364, 100, 16, 3600, 6549, 2861, 5824),
    24: (364, 150, 32, 5400, 9540, 4269, 11648),
}
# fmt: on

# README section 1: SHA-256 as stored (CRLF) and after CRLF -> LF.
SHA256_CRLF = {
    1: "f982418dfd05e44e3738656d2da18e751bf9b7741d36d299dd394d79c275af64",
    2: "66f4ceb916ade9edd93eade3e858fb9e7c5586aa47be4696309a680c9f159a29",
    3: "dba847106a84a6f9dfeb282278c3668fb681c52cb353b0ebfde5195eb9e98286",
    4: "927967253110a0a5d48c22f51d45abd6efae0be581bdd875a2f898465f6e032c",
    5: "068edbebb062ced2c29e8b85d3328ee7bc8a1bf3370ef754f3d88d1f0a6e5144",
    6: "e5306a18994a8375d13849cb4d5e1ffae86990c8beccfffe80d36998dc219986",
    7: "7cc2c667d8770b14dfdb6190cf385c91168114873b7cb1b78ab9836cc21f838d",
    8: "99360417e9036c8a3d2dc82cb2ca20ad97201d89392702a6d12deb313b7344e8",
    9: "a683e3b14dd972f170aec5f7f9af0a4a1501072a009c9739a8ce903c46c1d996",
    10: "d3567bb21792e9a3a554a9e1572975ccbbf02961326bef90e9b865a732bad50e",
    11: "fe8840a088a921c354f81c051b2fd5f5f4d0b56ce5b8517ab776c3184068cb0d",
    12: "127baafc8c4542d72b96815cb663ca79a4ee49234bc2d83024e61676285628d9",
    13: "d5784888aefd7f39a113caa1f77ef5afb2b45008007c1bc96ff8aa752c0046bd",
    14: "eda0f274f0f7ae9c9a210d34c1601483d2b3510e260b61c9c0a25f1ee8ab8a4c",
    15: "e226046b038aca53031df6fb86d22a3b429f4a9f1b637136fedf45b18ff4bf05",
    16: "b279838724ee027172fc8dbeb4426a361d07a2dcdc0d62dd799215a37cc71748",
    17: "529429b6fde7c3b235605ff5c2272378492fa918bf1ace28535176401a601fa8",
    18: "57449c677c22b1a526cac67ed64ca657f6e9cb449bcc152bfc9df1846df3406f",
    19: "91068e71ca63b911247b84137372aac9364cb8079fec9b0731975f8a9401bd24",
    20: "4941fdf516318b76eb64429083726ed0a0df71bbd358a57cde96766c18f689e7",
    21: "df24f235d3b71f24c4706c958c167a80f303f342869aab46b014eee9facbf458",
    22: "cbac3517d4a2a8db447e3e1f59751e62c0863513b33522b19360d720915db763",
    23: "edef99672d5cbe76f768e527f1d7a8f6e226714c5c6372609fc96bedee866366",
    24: "6cbe59d4416b24eb8434e3acb4a420b046666644a785cdc897ac334b6546bd67",
}
SHA256_LF = {
    1: "7c6f31371f3b13752f2420a279bbd767e1413af0bcbf05d138d69ccc33dc763b",
    2: "e961b957dea13a7b5e1761ac1625db8dbadb13f0e6ce6280fa49e03f6a22ff05",
    3: "64140105a5f806f7348f35bd68621f43bc7b7b8dc54774d5a34dffef0d476ab3",
    4: "67fb6f36b44a074793371b6e870e8aa36adc0ae6e085f4b587f526d3b8441c02",
    5: "d1ee644737d90fbbd21c2c88d01d3d1472dd6a75963dfce4129a9417ce1656f8",
    6: "880244787349a892af36c1fb7d4df00437603a73ba86f1905373e8dc7da313ca",
    7: "cbf004e95fbbf68522c225af2bbcf16a88db4ae7f2c105afa5b4f0b4445652fa",
    8: "d96f7686185b120160a0b8e4f3765c34d88aac09fc1ad35ea0899f898d91c0b5",
    9: "2a612adc1cd9e15520aade69e22e7a855c8281d8e1d96474f14b2867e0525db3",
    10: "b288420b076f2073c92790afc982d443b397f3ae2aea8f9fa222c60e01891e91",
    11: "ab29993722d8e6ea94ad502a965649c498848288166dbc01ff4cc36bdea61406",
    12: "38dd44ea4aa48adfaac8e57b993a785abf9652857f73305f937c547e639829b0",
    13: "6c1aa214c958942cbcd982af291b46287fd47d53274bedec906e0bf84ce10711",
    14: "7c83873ee53a6f47bbaabd2300ad64bc2f8d511b78f857666d5d6ecee1f231a1",
    15: "3c89ebd9b509ca30956593c5870624db7daa7c324beb17722d9ff608d8490307",
    16: "911b95006df1ce4595fa7d940b3b61628ddba3251f39976c58aa6e8cbca6d824",
    17: "12b4e8a14ce4d9b4f539e9b082db05997fcab1717b08e5e3b1da9cdfc746d689",
    18: "580453bc03108313dc429e20e6396caf4ca9404d4b7bbf6b432fb3f2cf72fcff",
    19: "9071ff07e06e31438ed3269b07aae3899ed724087ce802514695a872db433dc3",
    20: "6deab8c208d5006a99054eb0f07c633949e577e9bb5ac41e9ae21a91ebd04115",
    21: "5324be3af13033e59bedbd71a7b2d6953f98fe11222552048e42deec2e050016",
    22: "50f57fcb4311f069833e1febc27db31995a00dddf481c2e39c3b5d4a28cb899d",
    23: "3761fcd34e388433bb75cfd33a6129d7cd8b8c182f8f13c6e79e99ab927cf3e6",
    24: "2242c92149cd1f7b498e86735831a880a7a49a7e28e9bd6a6baf6da58f7eb980",
}


def _path(benchmark_dir: Path, number: int) -> Path:
    return benchmark_dir / f"Instance{number}.txt"


def test_the_folder_holds_exactly_the_24_instances(benchmark_dir: Path) -> None:
    names = {p.name for p in benchmark_dir.glob("Instance*.txt")}
    assert names == {f"Instance{n}.txt" for n in TABLE}


@pytest.mark.parametrize("number", sorted(TABLE))
def test_instance_matches_the_readme_table(benchmark_dir: Path, number: int) -> None:
    days, staff, shifts, fixed, on, off, cover = TABLE[number]
    path = _path(benchmark_dir, number)
    # The files are the ones the README describes (git may have turned CRLF into LF).
    assert hashlib.sha256(path.read_bytes()).hexdigest() in (
        SHA256_CRLF[number],
        SHA256_LF[number],
    )
    inst = read_instance(path)
    assert inst.name == f"Instance{number}"
    assert inst.horizon == days
    assert len(inst.staff) == staff
    assert len(inst.shifts) == shifts
    assert inst.fixed_days_off_count == fixed
    assert len(inst.on_requests) == on
    assert len(inst.off_requests) == off
    assert len(inst.cover) == cover
    # "that block has exactly one row for every (day, shift type) pair"
    assert set(inst.cover_by_key) == {(d, s) for d in range(days) for s in inst.shift_ids}


@pytest.mark.parametrize("number", [1, 15, 24])
def test_crlf_and_lf_versions_parse_identically(benchmark_dir: Path, number: int) -> None:
    raw = _path(benchmark_dir, number).read_bytes().decode("ascii")
    crlf = raw.replace("\r\n", "\n").replace("\n", "\r\n")
    lf = raw.replace("\r\n", "\n")
    assert "\r" not in lf
    assert parse_instance(crlf, name="x") == parse_instance(lf, name="x")


def test_instance15_minus_zero_requirements(benchmark_dir: Path) -> None:
    raw = _path(benchmark_dir, 15).read_text(encoding="ascii")
    assert "41,D,-0,100,1" in raw
    assert "41,n2,-0,100,1" in raw
    inst = read_instance(_path(benchmark_dir, 15))
    assert inst.cover_by_key[41, "D"].requirement == 0
    assert inst.cover_by_key[41, "n2"].requirement == 0


def test_readme_parser_notes_hold(benchmark_dir: Path) -> None:
    """Spot checks of README section 2's notes, which the reader relies on being true."""
    i24 = read_instance(_path(benchmark_dir, 24))
    assert i24.employee_ids[-1] == "ET"
    assert any(e.max_weekends == 0 for e in i24.staff)
    assert any(v == 0 for e in i24.staff for v in e.max_shifts.values())
    i1 = read_instance(_path(benchmark_dir, 1))
    assert i1.shifts[0].forbidden_successors == ()  # "D,480," has an empty third field
    assert [e.days_off for e in i1.staff] == [(0,), (5,), (8,), (2,), (9,), (5,), (1,), (7,)]


@pytest.mark.parametrize("number", [1, 12, 24])
def test_all_off_roster_scores_total_demand_plus_on_requests(
    benchmark_dir: Path, number: int
) -> None:
    """Nobody works: every cover row is short by its requirement, every on-request unmet."""
    inst = read_instance(_path(benchmark_dir, number))
    result = evaluate(inst, {e: [""] * inst.horizon for e in inst.employee_ids})
    assert result.cover_under == sum(c.requirement * c.under_weight for c in inst.cover)
    assert result.cover_over == 0
    assert result.on_requests == sum(r.weight for r in inst.on_requests)
    assert result.off_requests == 0
    assert {v.rule for v in result.violations} == {MIN_TOTAL_MINUTES}
    assert len(result.violations) == sum(1 for e in inst.staff if e.min_total_minutes > 0)
