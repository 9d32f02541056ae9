"""Planning: a request becomes a DAG of tasks that execution walks.

The graph for two circuits on two backends::

    load:0 ─┬─ convert:0:cirq ── run:0:cirq ──────┬─ analyse:0 ─┐
            └─ convert:0:qiskit-aer ── run:0:... ─┘             ├─ export:json
    load:1 ─ ...                                  ── analyse:1 ─┘

Tasks are attrs objects in a networkx DiGraph; an edge means "runs after".
Plugins may change the plan through the ``proxima_plan`` hook.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from proxima_kernel._errors import UsageError
from proxima_kernel._model import ExecutionOptions, RunOptions

if TYPE_CHECKING:
    import networkx as nx

#: Task kinds the kernel runs itself; any other kind needs an action.
KINDS = ("load", "convert", "run", "analyse", "export")


@attrs.define
class Task:
    """One unit of work in a plan.

    ``action``, when set, is called with the run context instead of the
    kernel's own handler for the kind; plugins use it for custom tasks.
    """

    id: str
    kind: str
    circuit: int | None = None
    backend: str | None = None
    exporter: str | None = None
    action: Callable[[Any], None] | None = attrs.field(default=None, repr=False)
    params: dict[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class Request:
    """What the user asked for: circuits, backends, options and exports."""

    circuits: Sequence[Any]
    backends: tuple[str, ...]
    options: RunOptions = RunOptions()
    exporters: tuple[str, ...] = ()
    out_dir: str | None = None
    execution: ExecutionOptions = ExecutionOptions()


class Plan:
    """A DAG of :class:`Task` objects (see the module docstring)."""

    def __init__(self) -> None:
        # networkx is imported with the first plan, not with the kernel.
        import networkx

        self.graph: nx.DiGraph = networkx.DiGraph()

    def add_task(self, task: Task, after: Sequence[str] = ()) -> Task:
        """Add ``task`` to run after the tasks whose ids are in ``after``."""
        if task.id in self.graph:
            raise UsageError(f"The plan already has a task {task.id!r}.")
        self.graph.add_node(task.id, task=task)
        for earlier in after:
            self.add_dependency(earlier, task.id)

        return task

    def add_dependency(self, earlier: str, later: str) -> None:
        """Make ``later`` wait for ``earlier``."""
        for task_id in (earlier, later):
            if task_id not in self.graph:
                raise UsageError(f"The plan has no task {task_id!r}.")
        self.graph.add_edge(earlier, later)

    def remove_task(self, task_id: str) -> None:
        self.graph.remove_node(task_id)

    def task(self, task_id: str) -> Task:
        task: Task = self.graph.nodes[task_id]["task"]
        return task

    def tasks(self, kind: str | None = None) -> list[Task]:
        """Every task (of one kind, when given) in insertion order."""
        found = (data["task"] for _, data in self.graph.nodes(data=True))
        return [t for t in found if kind is None or t.kind == kind]

    def validate(self) -> None:
        """Raise UsageError when the plan has a cycle or an unknown kind."""
        import networkx as nx

        if not nx.is_directed_acyclic_graph(self.graph):
            cycle = nx.find_cycle(self.graph)
            raise UsageError(
                f"The plan has a cycle ({' -> '.join(a for a, _ in cycle)}); "
                f"a plugin's proxima_plan hook added a dependency that loops."
            )
        for task in self.tasks():
            if task.action is None and task.kind not in KINDS:
                raise UsageError(
                    f"Task {task.id!r} has the kind {task.kind!r} and no "
                    f"action; give a task of a new kind an action callable."
                )

    def levels(self) -> Iterator[list[Task]]:
        """Tasks grouped so that each group only needs earlier groups."""
        import networkx as nx

        for generation in nx.topological_generations(self.graph):
            yield [self.task(task_id) for task_id in generation]

    def __len__(self) -> int:
        return int(self.graph.number_of_nodes())


def build_plan(request: Request) -> Plan:
    """The kernel's default plan for ``request``."""
    plan = Plan()
    analyses = []
    for index in range(len(request.circuits)):
        load = plan.add_task(Task(f"load:{index}", "load", circuit=index))
        runs = []
        for name in request.backends:
            convert = plan.add_task(
                Task(f"convert:{index}:{name}", "convert", index, name),
                after=[load.id],
            )
            run = plan.add_task(
                Task(f"run:{index}:{name}", "run", index, name),
                after=[convert.id],
            )
            runs.append(run.id)
        analyse = Task(f"analyse:{index}", "analyse", circuit=index)
        analyses.append(plan.add_task(analyse, after=runs).id)

    for exporter in request.exporters:
        task = Task(f"export:{exporter}", "export", exporter=exporter)
        plan.add_task(task, after=analyses)

    return plan
