"""Small-cell suppression for published tables, so no count under the threshold can be read or
worked out.

A table is an R×C matrix of counts with its row totals, column totals and grand total. Every row
(including the totals row) and every column (including the totals column) is an additive line:
its cells add up to its total. Suppression runs in two steps:

1. primary: every cell, total or not, with a count under the threshold (default 5, zero included)
   is suppressed;
2. secondary (complementary): while some line has exactly one suppressed cell, which could be
   recovered by subtracting the others from the total, suppress one more cell of that line — the
   smallest one, preferring inner cells over totals and totals over the grand total.

3. exact solving: the hidden cells are edges of a graph between rows and columns; a hidden cell
   is uniquely determined by the visible numbers exactly when its edge lies on no cycle (a
   bridge). Each bridge gets one more hidden cell that closes a cycle through it.

After that no hidden value can be worked out exactly from the table. Tables that
share their row totals (the same divisions in an "by sex" and a "by program" table) are
suppressed together with `suppress_linked`, so a total hidden in one is hidden in all.
"""

from dataclasses import dataclass, field

DEFAULT_THRESHOLD = 5


@dataclass
class Cell:
    value: int
    suppressed: bool = False
    primary: bool = False

    @property
    def shown(self):
        """What a public page prints: the count, "<5" for a small cell, "x" for a complement."""
        if not self.suppressed:
            return self.value
        return None


@dataclass
class SuppressedTable:
    """The grid with margins: grid[i][j] for i < R, j < C inner; [i][C] row totals; [R][j] column
    totals; [R][C] the grand total."""

    row_labels: list
    column_labels: list
    grid: list = field(default_factory=list)
    threshold: int = DEFAULT_THRESHOLD

    @property
    def rows(self):
        """[(label, [inner cells], total cell)] for each data row."""
        width = len(self.column_labels)
        return [
            (label, self.grid[i][:width], self.grid[i][width])
            for i, label in enumerate(self.row_labels)
        ]

    @property
    def totals(self):
        width = len(self.column_labels)
        return self.grid[-1][:width], self.grid[-1][width]

    def row_total(self, label):
        return self.grid[self.row_labels.index(label)][len(self.column_labels)]

    @property
    def grand_total(self):
        return self.grid[-1][-1]

    def cells(self):
        for line in self.grid:
            yield from line


def _lines(rows, cols):
    """Every additive line of an (rows+1)×(cols+1) grid as a list of (i, j)."""
    for i in range(rows + 1):
        yield [(i, j) for j in range(cols + 1)]
    for j in range(cols + 1):
        yield [(i, j) for i in range(rows + 1)]


def _priority(i, j, rows, cols):
    margins = (i == rows) + (j == cols)
    return margins  # 0 inner, 1 a row or column total, 2 the grand total


def build(matrix, row_labels, column_labels, threshold=DEFAULT_THRESHOLD):
    """A SuppressedTable of `matrix` (lists of counts) with primary suppression applied."""
    rows, cols = len(row_labels), len(column_labels)
    grid = []
    for i in range(rows):
        line = [Cell(int(matrix[i][j])) for j in range(cols)]
        line.append(Cell(sum(c.value for c in line)))
        grid.append(line)
    totals = [Cell(sum(grid[i][j].value for i in range(rows))) for j in range(cols + 1)]
    grid.append(totals)
    for cell in (c for line in grid for c in line):
        if cell.value < threshold:
            cell.suppressed = cell.primary = True
    return SuppressedTable(list(row_labels), list(column_labels), grid, threshold)


def complete(table, forced_rows=(), forced_grand_total=False):
    """Apply secondary suppression in place; `forced_rows` are row labels whose totals must be
    hidden (because a linked table hides them). Returns True when anything changed."""
    rows, cols = len(table.row_labels), len(table.column_labels)
    grid = table.grid
    changed_any = False
    for label in forced_rows:
        if label in table.row_labels:
            cell = grid[table.row_labels.index(label)][cols]
            if not cell.suppressed:
                cell.suppressed = changed_any = True
    if forced_grand_total and not grid[rows][cols].suppressed:
        grid[rows][cols].suppressed = changed_any = True
    changed = True
    while changed:
        changed = False
        for line in _lines(rows, cols):
            hidden = [p for p in line if grid[p[0]][p[1]].suppressed]
            if len(hidden) != 1:
                continue
            candidates = [p for p in line if not grid[p[0]][p[1]].suppressed]
            if not candidates:
                continue
            i, j = min(
                candidates,
                key=lambda p: (_priority(p[0], p[1], rows, cols), grid[p[0]][p[1]].value, p),
            )
            grid[i][j].suppressed = True
            changed = changed_any = True
        bridge = _first_bridge(table)
        if bridge is not None:
            _close_cycle(table, bridge)
            changed = changed_any = True
    return changed_any


def _hidden_edges(table):
    rows, cols = len(table.row_labels), len(table.column_labels)
    return [(i, j) for i in range(rows + 1) for j in range(cols + 1) if table.grid[i][j].suppressed]


def _component(edges, start, skip):
    """Vertices reachable from `start` ("r", i) / ("c", j) over hidden edges except `skip`."""
    adjacency = {}
    for edge in edges:
        if edge == skip:
            continue
        i, j = edge
        adjacency.setdefault(("r", i), []).append(("c", j))
        adjacency.setdefault(("c", j), []).append(("r", i))
    seen = {start}
    todo = [start]
    while todo:
        for neighbour in adjacency.get(todo.pop(), []):
            if neighbour not in seen:
                seen.add(neighbour)
                todo.append(neighbour)
    return seen


def _first_bridge(table):
    """A hidden cell on no cycle of hidden cells (its value would be solvable), or None."""
    edges = _hidden_edges(table)
    for edge in edges:
        if ("c", edge[1]) not in _component(edges, ("r", edge[0]), edge):
            return edge
    return None


def _close_cycle(table, bridge):
    """Hide the cheapest visible cell joining the two sides of a bridge."""
    rows, cols = len(table.row_labels), len(table.column_labels)
    side = _component(_hidden_edges(table), ("r", bridge[0]), bridge)
    candidates = [
        (i, j)
        for i in range(rows + 1)
        for j in range(cols + 1)
        if not table.grid[i][j].suppressed and ((("r", i) in side) != (("c", j) in side))
    ]
    i, j = min(
        candidates,
        key=lambda p: (_priority(p[0], p[1], rows, cols), table.grid[p[0]][p[1]].value, p),
    )
    table.grid[i][j].suppressed = True


def suppress(matrix, row_labels, column_labels, threshold=DEFAULT_THRESHOLD):
    """Primary and secondary suppression of one table."""
    table = build(matrix, row_labels, column_labels, threshold)
    complete(table)
    return table


def suppress_linked(tables):
    """Complete several tables that share row labels and grand total, until they agree on which
    row totals (and whether the grand total) are hidden."""
    while True:
        hidden_rows = set()
        hidden_grand = False
        for table in tables:
            width = len(table.column_labels)
            for i, label in enumerate(table.row_labels):
                if table.grid[i][width].suppressed:
                    hidden_rows.add(label)
            hidden_grand = hidden_grand or table.grand_total.suppressed
        changed = False
        for table in tables:
            changed |= complete(table, hidden_rows, hidden_grand)
        if not changed:
            return tables


def is_safe(table):
    """True when no cell under the threshold is visible, no line has exactly one hidden cell and
    no hidden cell is a bridge (the invariants the tests check)."""
    rows, cols = len(table.row_labels), len(table.column_labels)
    for cell in table.cells():
        if cell.value < table.threshold and not cell.suppressed:
            return False
    for line in _lines(rows, cols):
        if sum(table.grid[i][j].suppressed for i, j in line) == 1:
            return False
    return _first_bridge(table) is None
