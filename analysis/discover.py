"""Scenario discovery on a sweep: where in the parameter space does a condition hold?

    /usr/bin/python3 -m analysis.discover SWEEP.h5 --where "win_weeks[relationship_first] >
        win_weeks[big_messaging]" [--alpha 0.05] [--min-mass 0.05] [--boxes 2] [--no-write]

(also `orgsim discover SWEEP.h5 --where "..."`). Evaluates the condition on the sweep's per-run
outcomes, runs PRIM (analysis.prim) over the varied parameters, prints the boxes in words and
writes them into the file's /discovery group (docs/HDF5_LAYOUT.md), which `orgsim report` shows.
A swept choice or switch is peeled by its levels, one whole level at a time (analysis.prim), so a
box keeps any set of them, and is said by name ("campaign.strategy is big_messaging",
"actions.policy in {hot, never}").

The condition (`--where`) is a Python-like expression over per-run outputs:
- `output[arm]` is that arm's value; a condition naming arms is evaluated per workplace, i.e. per
  (design point, replicate): the arms of one replicate share the population and network, so
  `win_weeks[relationship_first] > win_weeks[big_messaging]` is a paired comparison;
- a bare `output` (no arm) evaluates per run, every arm's run being one point;
- numbers, + - * /, comparisons (< <= > >= == !=, chained), `and`, `or`, `not`, parentheses.

Options: --alpha in (0, 0.5), --min-mass in (0, 1), --threshold in [0, 1], --boxes at least 1;
a value outside (or NaN, or not a number) is a usage error naming the option.

Exit status: 0 done, 2 bad input (not a sweep, a bad condition, an option out of range), 1 other
failure.
"""

import ast
import os
import sys

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    __package__ = "analysis"  # noqa: A001

from . import cli, load, prim  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402


class ConditionError(ValueError):
    """A --where expression that cannot be evaluated (names what is wrong and what is allowed)."""


_CMP = {ast.Gt: np.greater, ast.GtE: np.greater_equal, ast.Lt: np.less, ast.LtE: np.less_equal,
        ast.Eq: np.equal, ast.NotEq: np.not_equal}
_BIN = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.divide}


def parse_condition(text, outcomes, arms):
    """The parsed condition and the arms it names; ConditionError if it is not one."""
    if not text or not text.strip():
        raise ConditionError("--where: expected a condition such as \"wins > 0\", found nothing")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as err:
        # Python reports an expression cut short at column 0 (or past its end): say the end
        where = (f"at column {err.offset}" if err.offset and err.offset <= len(text.strip())
                 else "at its end: something is missing there")
        raise ConditionError(f"--where \"{text}\": not an expression ({err.msg} {where})"
                             ) from None
    named = set()

    def check(node):
        if isinstance(node, ast.Expression):
            return check(node.body)
        if isinstance(node, ast.Compare):
            if not all(type(op) in _CMP for op in node.ops):
                raise ConditionError(f"--where \"{text}\": only < <= > >= == != compare")
            for n in [node.left] + node.comparators:
                check(n)
            return
        if isinstance(node, ast.BoolOp):
            for n in node.values:
                check(n)
            return
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.USub)):
            return check(node.operand)
        if isinstance(node, ast.BinOp) and type(node.op) in _BIN:
            check(node.left)
            check(node.right)
            return
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) \
                and not isinstance(node.value, bool):
            return
        if isinstance(node, ast.Name):
            if node.id not in outcomes:
                raise ConditionError(f"--where \"{text}\": '{node.id}' is not a per-run output "
                                     f"of this file (one of {', '.join(outcomes)})")
            return
        if isinstance(node, ast.Subscript):
            if not isinstance(node.value, ast.Name) or node.value.id not in outcomes:
                name = getattr(node.value, "id", ast.unparse(node.value))
                raise ConditionError(f"--where \"{text}\": '{name}' is not a per-run output of "
                                     f"this file (one of {', '.join(outcomes)})")
            arm = node.slice
            if not isinstance(arm, ast.Name) or arm.id not in arms:
                raise ConditionError(f"--where \"{text}\": '{ast.unparse(arm)}' in "
                                     f"{node.value.id}[...] is not an arm of this file (one of "
                                     f"{', '.join(arms)})")
            named.add(arm.id)
            return
        raise ConditionError(f"--where \"{text}\": '{ast.unparse(node)}' is not allowed (outputs, "
                             f"output[arm], numbers, + - * /, comparisons, and/or/not)")

    check(tree)
    if not isinstance(tree.body, (ast.Compare, ast.BoolOp)) and not (
            isinstance(tree.body, ast.UnaryOp) and isinstance(tree.body.op, ast.Not)):
        raise ConditionError(f"--where \"{text}\": expected a condition (a comparison such as "
                             f"\"wins > 0\"), found a value")
    return tree, named


def _eval(node, columns):
    if isinstance(node, ast.Expression):
        return _eval(node.body, columns)
    if isinstance(node, ast.Compare):
        left = _eval(node.left, columns)
        out = None
        for op, right_node in zip(node.ops, node.comparators):
            right = _eval(right_node, columns)
            part = _CMP[type(op)](left, right)
            out = part if out is None else out & part
            left = right
        return out
    if isinstance(node, ast.BoolOp):
        values = [np.asarray(_eval(n, columns), dtype=bool) for n in node.values]
        out = values[0]
        for v in values[1:]:
            out = (out & v) if isinstance(node.op, ast.And) else (out | v)
        return out
    if isinstance(node, ast.UnaryOp):
        v = _eval(node.operand, columns)
        return ~np.asarray(v, dtype=bool) if isinstance(node.op, ast.Not) else -v
    if isinstance(node, ast.BinOp):
        with np.errstate(divide="ignore", invalid="ignore"):
            return _BIN[type(node.op)](_eval(node.left, columns), _eval(node.right, columns))
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.Name):
        return columns[node.id]
    if isinstance(node, ast.Subscript):
        return columns[(node.value.id, node.slice.id)]
    raise AssertionError(node)


def evaluate(runs, where, params):
    """(X, y, unit): the inputs `params` and the condition per point PRIM looks at. With arms
    named, a point is a workplace (design point, replicate), the arms' runs side by side; without,
    a point is a run. Runs that did not finish are left out; so are points where an output the
    condition reads is NaN."""
    names = list(runs.attrs.get("arm_names") or runs["arm"].cat.categories)
    outcomes = [c for c in runs.columns if c not in params and c not in (
        "arm", "arm_code", "replicate", "point", "seed", "status", "wall_seconds")
        and "." not in c and pd.api.types.is_numeric_dtype(runs[c])]
    tree, arms = parse_condition(where, outcomes, names)
    done = runs[runs["status"].astype(str) == "done"] if "status" in runs.columns else runs
    used = sorted({n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} & set(outcomes))
    if arms:
        columns, frames = {}, []
        key = ["point", "replicate"]
        base = done.drop_duplicates(key).set_index(key)[params]
        for arm in sorted(arms):
            mine = done[done["arm"].astype(str) == arm].set_index(key)
            frames.append(mine[used].add_suffix("@" + arm))
        table = base.join(frames, how="inner")
        for arm in arms:
            for o in used:
                columns[(o, arm)] = table[f"{o}@{arm}"].to_numpy(dtype=float)
        for o in used:
            columns[o] = None  # a bare name next to named arms is ambiguous
        if any(isinstance(n, ast.Name) and n.id in used and not _is_subscripted(tree, n)
               for n in ast.walk(tree)):
            raise ConditionError(f"--where \"{where}\": with arms named, name the arm of every "
                                 f"output too (e.g. {used[0]}[{sorted(arms)[0]}])")
        unit = "workplace (design point, replicate)"
    else:
        table = done
        columns = {o: done[o].to_numpy(dtype=float) for o in used}
        unit = "run"
    finite = np.ones(len(table), dtype=bool)
    for v in columns.values():
        if v is not None:
            finite &= np.isfinite(v)
    y = np.asarray(_eval(tree, columns), dtype=bool) & finite
    X = table[params].reset_index(drop=True)[finite]
    # A swept choice or switch: X holds its index into its levels (the order the sweep file
    # lists them); given the levels (prim.choice_levels), PRIM peels it one level at a time and
    # the boxes say it by name (Box.levels, Box.kept).
    for c in params:
        if isinstance(X[c].dtype, pd.CategoricalDtype):
            X[c] = X[c].cat.codes.where(X[c].notna()).astype(float)
    return X.reset_index(drop=True), y[finite], unit


def _is_subscripted(tree, name_node):
    for n in ast.walk(tree):
        if isinstance(n, ast.Subscript) and (n.value is name_node or n.slice is name_node):
            return True
    return False


def discover(path, where, alpha=0.05, min_mass=0.05, n_boxes=2, threshold=None, write=True):
    """PRIM boxes of `where` over the sweep's varied parameters: (boxes, X, y, unit)."""
    ds = load.open_results(path)
    params = load.varied_params(ds)
    if not params:
        raise ConditionError(f"'{path}' varies no parameter (not a sweep): nothing to discover")
    runs = load.runs_table(ds)
    X, y, unit = evaluate(runs, where, params)
    if len(y) == 0:
        raise ConditionError(f"--where \"{where}\": no finished run to evaluate it on")
    boxes = prim.find_boxes(X, y, n_boxes=n_boxes, alpha=alpha, min_mass=min_mass,
                            threshold=threshold, levels=prim.choice_levels(runs, params))
    # No box (a condition that never holds, or holds everywhere) says nothing a reader could use:
    # an earlier /discovery is left as it was rather than replaced by an empty one.
    if write and boxes:
        load.write_discovery(path, where, unit, boxes, int(len(y)), int(y.sum()),
                             {"alpha": alpha, "min_mass": min_mass})
    return boxes, X, y, unit


def written_note(path, where, earlier, wrote):
    """The line that says what happened to the file's /discovery: written (and whose earlier
    one it replaced: `earlier` is load.discovery_condition before writing), or kept as it was
    (no box)."""
    if not wrote:
        return f"nothing written: without a box, {path} keeps its /discovery as it was"
    if earlier is None:
        return f"written: {path} /discovery"
    if earlier == where:
        return f"written: {path} /discovery (replacing the earlier one, for the same condition)"
    return (f"written: {path} /discovery (replacing the earlier one for {earlier or '?'}; "
            f"`orgsim discover {path} --where \"{earlier}\"` writes that one again)")


def describe(where, boxes, n, k, unit, units=None):
    lines = [f"where {where}: holds for {k} of {n} points ({k / n:.0%}; a point is a {unit})"]
    if k == 0:
        lines.append("  it never holds: no box")
    for i, box in enumerate(boxes, 1):
        # box 1's coverage is of all the points; a later box is found on the points the boxes
        # before it left, so its own figures are of those, and its share of all is said first
        before = "box 1" if i == 2 else f"boxes 1 to {i - 1}"
        lines.append(f"box {i}: " + box.describe(units).replace("\n", "\n  ") if i == 1 else
                     f"box {i} (on the points outside {before}): {box.coverage_total:.0%} of all "
                     f"the points where it holds; among the points left, "
                     + box.describe(units).replace("\n", "\n  "))
    return "\n".join(lines)


# The options' ranges: (option, what it must be, test of the number). PRIM's own: a peel of
# alpha must leave a box (prim.find_box refuses alpha outside (0, 0.5)); min_mass and the
# density threshold are shares of points.
_NUMBER_OPTIONS = (
    ("--alpha", "alpha", "a number in (0, 0.5)", lambda v: 0 < v < 0.5),
    ("--min-mass", "min_mass", "a number in (0, 1)", lambda v: 0 < v < 1),
    ("--threshold", "threshold", "a number in [0, 1] (a density)", lambda v: 0 <= v <= 1),
)


def _checked_options(ap, args):
    """The numbers of --alpha, --min-mass, --threshold and --boxes, each checked; a value out of
    its range (or not a number, or NaN) is a usage error (exit 2) naming the option, what it
    expects and what was given."""
    for option, name, expected, ok in _NUMBER_OPTIONS:
        text = getattr(args, name)
        if text is None:
            continue
        try:
            value = float(text)
        except ValueError:
            value = None
        if value is None or not np.isfinite(value) or not ok(value):
            ap.error(f"{option}: expected {expected}, found {text}")
        setattr(args, name, value)
    try:
        boxes = int(args.boxes)
    except ValueError:
        boxes = None
    if boxes is None or boxes < 1:
        ap.error(f"--boxes: expected a whole number of at least 1, found {args.boxes}")
    args.boxes = boxes
    return args


def main(argv=None):
    ap = cli.Parser(prog="orgsim discover", description=__doc__.split("\n")[0])
    ap.add_argument("file", help="the sweep's results file (orgsim sweep), or a run's")
    ap.add_argument("--where", required=True, help="the condition, e.g. \"wins > 0\"")
    ap.add_argument("--alpha", default="0.05",
                    help="share peeled per step, in (0, 0.5) (0.05)")
    ap.add_argument("--min-mass", default="0.05",
                    help="smallest box, as a share of the points, in (0, 1) (0.05)")
    ap.add_argument("--boxes", default="2", help="boxes to find (covering), at least 1 (2)")
    ap.add_argument("--threshold", default=None,
                    help="choose the widest box at least this dense, in [0, 1] (default: max "
                         "coverage x density)")
    ap.add_argument("--no-write", action="store_true", help="do not write /discovery")
    args = _checked_options(ap, ap.parse_args(argv))
    try:
        earlier = None if args.no_write else load.discovery_condition(args.file)
        boxes, X, y, unit = discover(args.file, args.where, args.alpha, args.min_mass,
                                     args.boxes, args.threshold, not args.no_write)
    except (ConditionError, load.ResultsFileError, FileNotFoundError) as err:
        print(f"orgsim: error: {err}", file=sys.stderr)
        return 2
    except OSError as err:  # writing the copy (a full disk): the file is left as it was
        print(f"orgsim: failed: {err} ({args.file} is unchanged)", file=sys.stderr)
        return 1
    units = {}
    try:
        d = load.design(args.file)
        units = (d.attrs.get("units") or {}) if d is not None else {}
    except Exception:
        pass
    print(describe(args.where, boxes, len(y), int(y.sum()), unit, units))
    if not args.no_write:
        print(written_note(args.file, args.where, earlier, bool(boxes)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
