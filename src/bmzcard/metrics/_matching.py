"""Optimal one-to-one matching on a sparse bipartite graph."""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


def max_matching(rows: np.ndarray, cols: np.ndarray, scores: np.ndarray, n_rows: int, n_cols: int) -> np.ndarray:
    """Indices of the candidate edges in a maximum matching.

    Among all matchings with the largest number of edges, the one with the
    largest sum of ``scores`` (each in [0, 1]) is chosen. Edges whose two
    ends have no other candidate are taken directly; the remaining
    connected components are solved one by one with a linear assignment,
    with cost ``-(1 + score / (2 k))`` so that the count always wins over
    the (< 1 in total) score tie-breaker.
    """
    rows = np.asarray(rows, dtype=np.intp)
    cols = np.asarray(cols, dtype=np.intp)
    if rows.size == 0:
        return np.zeros(0, dtype=np.intp)
    row_count = np.bincount(rows, minlength=n_rows)
    col_count = np.bincount(cols, minlength=n_cols)
    simple = (row_count[rows] == 1) & (col_count[cols] == 1)
    if simple.all():
        return np.arange(rows.size)
    chosen = [np.flatnonzero(simple)]
    graph = coo_matrix((np.ones(rows.size), (rows, cols + n_rows)), shape=(n_rows + n_cols,) * 2)
    _, component = connected_components(graph, directed=False)
    edge_component = component[rows]
    rest = np.flatnonzero(~simple)
    order = rest[np.argsort(edge_component[rest], kind="stable")]
    bounds = np.flatnonzero(np.diff(edge_component[order])) + 1
    for group in np.split(order, bounds):
        r_ids, r = np.unique(rows[group], return_inverse=True)
        c_ids, c = np.unique(cols[group], return_inverse=True)
        k = min(r_ids.size, c_ids.size)
        cost = np.zeros((r_ids.size, c_ids.size))
        edge = np.full((r_ids.size, c_ids.size), -1, dtype=np.intp)
        cost[r, c] = -(1.0 + scores[group] / (2.0 * k))
        edge[r, c] = group
        ri, ci = linear_sum_assignment(cost)
        picked = edge[ri, ci]
        chosen.append(picked[picked >= 0])
    return np.sort(np.concatenate(chosen))
