"""Small-cell suppression: no count under 5 is shown or recoverable from the totals."""

import random
from fractions import Fraction

import pytest

from stats.suppression import build, complete, is_safe, suppress, suppress_linked


def hidden(table):
    return [[cell.suppressed for cell in line] for line in table.grid]


def values(table):
    return [[cell.value for cell in line] for line in table.grid]


def test_large_cells_are_left_alone():
    table = suppress([[10, 20], [30, 40]], ["a", "b"], ["M", "F"])
    assert not any(cell.suppressed for cell in table.cells())
    assert values(table) == [[10, 20, 30], [30, 40, 70], [40, 60, 100]]


def test_a_small_cell_and_its_complements_are_hidden():
    # Row a: 3 is small; hiding it alone lets 3 = 33 - 30 be worked out, so a complement in the
    # row (30) and one in the column (the smaller of 40 in row b) are hidden too, and then row b
    # needs a second hidden cell as well.
    table = suppress([[3, 30], [40, 50]], ["a", "b"], ["M", "F"])
    assert table.grid[0][0].primary and table.grid[0][0].suppressed
    assert hidden(table) == [[True, True, False], [True, True, False], [False, False, False]]
    assert is_safe(table)


def test_zero_counts_are_small_too():
    table = suppress([[0, 30], [40, 50]], ["a", "b"], ["M", "F"])
    assert table.grid[0][0].suppressed and table.grid[0][0].primary
    assert is_safe(table)


def test_a_small_row_total_hides_the_row_and_is_protected_in_the_total_column():
    table = suppress([[2, 2], [40, 50], [30, 60]], ["a", "b", "c"], ["M", "F"])
    row_a_total = table.grid[0][2]
    assert row_a_total.suppressed and row_a_total.primary
    # The total column (4, 90, 90, 184) must not leave row a's total recoverable.
    total_column = [table.grid[i][2].suppressed for i in range(4)]
    assert sum(total_column) >= 2
    assert is_safe(table)


def test_complements_prefer_inner_cells_over_totals():
    table = suppress([[4, 100, 100], [100, 100, 100]], ["a", "b"], ["x", "y", "z"])
    totals = [table.grid[i][3].suppressed for i in range(2)] + [c.suppressed for c in table.grid[2]]
    assert not any(totals)
    assert is_safe(table)


def test_single_column_table_hides_the_total_with_the_only_cell():
    table = suppress([[3], [50]], ["a", "b"], ["learners"])
    # Row a's only cell equals its total, so both are hidden, and column-wise another row is.
    assert table.grid[0][0].suppressed and table.grid[0][1].suppressed
    assert is_safe(table)


@pytest.mark.parametrize("seed", range(40))
def test_random_tables_are_always_safe_and_no_small_count_survives(seed):
    rng = random.Random(seed)
    rows, cols = rng.randint(1, 8), rng.randint(1, 5)
    matrix = [
        [rng.choice([0, 1, 2, 3, 4, 5, 6, 9, 20, 150]) for _ in range(cols)] for _ in range(rows)
    ]
    table = suppress(matrix, [f"r{i}" for i in range(rows)], [f"c{j}" for j in range(cols)])
    assert is_safe(table)
    for cell in table.cells():
        if not cell.suppressed:
            assert cell.value >= 5


def _rank(matrix):
    """Rank of a small rational matrix by Gaussian elimination."""
    rows = [[Fraction(v) for v in row] for row in matrix]
    rank, col_count = 0, len(rows[0]) if rows else 0
    for col in range(col_count):
        pivot = next((r for r in range(rank, len(rows)) if rows[r][col] != 0), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for r in range(len(rows)):
            if r != rank and rows[r][col] != 0:
                factor = rows[r][col] / rows[rank][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[rank], strict=True)]
        rank += 1
    return rank


def solvable_cells(table):
    """Hidden cells whose value follows from the visible numbers by linear algebra alone.

    Unknowns are the hidden cells; every row and column (totals included) is an equation. A
    hidden cell is determined exactly when its unit vector lies in the span of the equations.
    """
    rows, cols = len(table.row_labels), len(table.column_labels)
    hidden_cells = [
        (i, j) for i in range(rows + 1) for j in range(cols + 1) if table.grid[i][j].suppressed
    ]
    index = {p: k for k, p in enumerate(hidden_cells)}
    equations = []
    for i in range(rows + 1):
        line = [0] * len(hidden_cells)
        for j in range(cols + 1):
            if (i, j) in index:
                line[index[(i, j)]] = -1 if j == cols else 1
        equations.append(line)
    for j in range(cols + 1):
        line = [0] * len(hidden_cells)
        for i in range(rows + 1):
            if (i, j) in index:
                line[index[(i, j)]] = -1 if i == rows else 1
        equations.append(line)
    base = _rank(equations) if hidden_cells else 0
    solvable = []
    for p, k in index.items():
        unit = [0] * len(hidden_cells)
        unit[k] = 1
        if _rank([*equations, unit]) == base:
            solvable.append(p)
    return solvable


def test_hidden_cells_cannot_be_solved_exactly_in_a_small_table():
    table = suppress([[3, 6], [7, 8]], ["a", "b"], ["M", "F"])
    assert is_safe(table)
    assert solvable_cells(table) == []


def test_linked_tables_hide_the_same_row_totals():
    # Table one hides row a's total only as a complement; table two would show it otherwise.
    by_sex = build([[2, 2], [40, 50], [30, 30]], ["a", "b", "c"], ["M", "F"])
    by_program = build([[20, 1, 3], [30, 30, 30], [20, 20, 20]], ["a", "b", "c"], ["x", "y", "z"])
    suppress_linked([by_sex, by_program])
    for label in ("a", "b", "c"):
        assert by_sex.row_total(label).suppressed == by_program.row_total(label).suppressed
    assert by_sex.grand_total.suppressed == by_program.grand_total.suppressed
    assert is_safe(by_sex) and is_safe(by_program)


def test_complete_with_forced_rows_keeps_the_table_safe():
    table = build([[10, 20], [30, 40]], ["a", "b"], ["M", "F"])
    assert complete(table, forced_rows=["a"])
    assert table.row_total("a").suppressed
    assert is_safe(table)


def test_a_bridge_between_two_hidden_cycles_is_closed():
    # Two 2×2 blocks of small cells joined by one small cell: the line rule alone would leave
    # the joining cell solvable exactly; the bridge step hides one more cell.
    matrix = [
        [1, 2, 40, 40, 40],
        [3, 4, 1, 40, 40],
        [40, 40, 2, 3, 40],
        [40, 40, 40, 4, 2],
    ]
    table = suppress(matrix, list("abcd"), list("vwxyz"))
    assert is_safe(table)


@pytest.mark.parametrize("seed", range(60))
def test_random_tables_have_no_exactly_solvable_hidden_cell(seed):
    rng = random.Random(1000 + seed)
    rows, cols = rng.randint(1, 7), rng.randint(1, 4)
    matrix = [[rng.choice([0, 2, 4, 5, 8, 30, 200]) for _ in range(cols)] for _ in range(rows)]
    table = suppress(matrix, [f"r{i}" for i in range(rows)], [f"c{j}" for j in range(cols)])
    assert solvable_cells(table) == []


def test_the_linear_algebra_check_does_catch_a_line_rule_only_pattern():
    # Guard for the check itself: one hidden cell in a line is solvable.
    table = build([[10, 20], [30, 40]], ["a", "b"], ["M", "F"])
    table.grid[0][0].suppressed = True
    assert solvable_cells(table) == [(0, 0)]
