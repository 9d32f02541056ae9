"""The plugin as the kernel sees it: cirq circuits in, refusals as status.

The light import, entry point, hooks and a Bell run through a kernel are
checked by ``PluginConformance`` in ``test_cirq_conformance.py``.
"""

from __future__ import annotations

from proxima_kernel import Circuit, Condition, Kernel, Measure, Status
from proxima_kernel.testing import program

import proxima_cirq


def test_a_kernel_run_loads_a_cirq_circuit():
    import cirq

    q0, q1 = cirq.LineQubit.range(2)
    bell = cirq.Circuit(cirq.H(q0), cirq.CNOT(q0, q1), cirq.measure(q0, q1, key="m"))
    kernel = Kernel(plugins=[proxima_cirq], load_entry_points=False)

    report = kernel.run(bell, backends=["cirq"], shots=200, seed=2)

    result = report.circuits[0].results["cirq"]
    assert result.status is Status.OK, result.reason
    assert set(result.counts) == {"00", "11"}
    assert result.conversion_path[0] == "cirq.Circuit"


def test_a_conditioned_measurement_is_unsupported_not_failed():
    prog = program(2, 2, Measure(0, 0), Measure(1, 1, condition=Condition((0,), 1)))
    circuit = Circuit("cm", "test", "cm", 2, 2, prog)
    kernel = Kernel(plugins=[proxima_cirq], load_entry_points=False)

    report = kernel.run(circuit, backends=["cirq"], shots=10, seed=1)

    result = report.circuits[0].results["cirq"]
    assert result.status is Status.UNSUPPORTED
    assert "condition a measurement" in result.reason
