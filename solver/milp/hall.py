"""A violated Hall set by a minimum cut, for consortia too large to enumerate the subsets of.

Person-months e_i of the members can be assigned to the work classes exactly when the
maximum flow from a source (arcs to each member, capacity e_i) through the allowed pairs
(unbounded) to a sink (arcs from each class, capacity its effort) carries Σ e_i. When it
carries less, the members still reachable from the source in the residual network form a set
T with Σ_{i∈T} e_i > effort(N(T)): a violated Hall set (max flow = min cut). The flow is
found by shortest augmenting paths (Edmonds–Karp) on floats; the set is then checked
against the tolerance, so float noise can only miss a set, never invent one.
"""

from __future__ import annotations

from collections import deque

from solver.milp.model import WorkClass, violated_sets


def violated_by_cut(
    classes: list[WorkClass], chosen: list[int], effort: dict[int, float], tolerance: float
) -> frozenset[int] | None:
    """A set T ⊆ chosen whose Hall row the person-months `effort` violate, or None."""
    members = [i for i in chosen if effort.get(i, 0.0) > tolerance]
    if not members:
        return None
    index = {i: n for n, i in enumerate(members)}
    # Nodes: 0 source, 1..m members, then the classes some member is open to, then the sink.
    arcs: list[list[int]] = [[] for _ in range(len(members) + 1)]
    head: list[int] = []
    cap: list[float] = []

    def arc(u: int, v: int, c: float) -> None:
        while len(arcs) <= max(u, v):
            arcs.append([])
        arcs[u].append(len(head))
        head.append(v)
        cap.append(c)
        arcs[v].append(len(head))
        head.append(u)
        cap.append(0.0)

    for i in members:
        arc(0, index[i] + 1, effort[i])
    node = len(members) + 1
    sink_arcs: list[tuple[int, float]] = []
    unbounded = sum(effort[i] for i in members) + 1.0
    for wc in classes:
        open_to = [index[i] + 1 for i in wc.candidates if i in index]
        if not open_to:
            continue
        for u in open_to:
            arc(u, node, unbounded)
        sink_arcs.append((node, float(wc.effort)))
        node += 1
    sink = node
    for u, c in sink_arcs:
        arc(u, sink, c)
    while _augment(arcs, head, cap, sink, tolerance):
        pass
    seen = _reachable(arcs, head, cap, tolerance)
    t = frozenset(i for i in members if index[i] + 1 in seen)
    if not t:
        return None
    done = sum(effort[i] for i in t)
    reached = sum(float(wc.effort) for wc in classes if not t.isdisjoint(wc.candidates))
    return t if done > reached + tolerance else None


def _augment(
    arcs: list[list[int]], head: list[int], cap: list[float], sink: int, tolerance: float
) -> bool:
    """One shortest augmenting path from the source (node 0) to the sink, if any."""
    parent: dict[int, int] = {0: -1}
    queue = deque([0])
    while queue and sink not in parent:
        u = queue.popleft()
        for a in arcs[u]:
            v = head[a]
            if v not in parent and cap[a] > tolerance:
                parent[v] = a
                queue.append(v)
    if sink not in parent:
        return False
    path, v = [], sink
    while v != 0:
        a = parent[v]
        path.append(a)
        v = head[a ^ 1]
    push = min(cap[a] for a in path)
    for a in path:
        cap[a] -= push
        cap[a ^ 1] += push
    return True


def _reachable(arcs: list[list[int]], head: list[int], cap: list[float], tolerance: float) -> set:
    seen, queue = {0}, deque([0])
    while queue:
        u = queue.popleft()
        for a in arcs[u]:
            if cap[a] > tolerance and head[a] not in seen:
                seen.add(head[a])
                queue.append(head[a])
    return seen


# Up to this many members every subset is tried (all violated sets at once, fewer rounds);
# above, one set per round by a minimum cut.
ENUMERATED = 12


def violated(
    classes: list[WorkClass], chosen: list[int], effort: dict[int, float], tolerance: float
) -> list[frozenset[int]]:
    """The violated Hall sets to add for the members `chosen` and their person-months."""
    if len(chosen) <= ENUMERATED:
        return violated_sets(classes, chosen, effort, tolerance)
    found = violated_by_cut(classes, chosen, effort, tolerance)
    return [] if found is None else [found]
