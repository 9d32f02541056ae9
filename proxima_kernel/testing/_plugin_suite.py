"""What a plugin module must do, as the kernel sees it."""

from __future__ import annotations

import importlib
import importlib.metadata
import subprocess
import sys
import textwrap
from typing import Any, ClassVar

import pytest

from proxima_kernel._ir import Gate, Measure
from proxima_kernel._kernel import Kernel
from proxima_kernel._model import Circuit, Status
from proxima_kernel.testing._helpers import program


class PluginConformance:
    """The checks of a plugin module. Subclass it in the plugin's tests.

    ``module``
        The plugin's import name, which its entry point names.
    ``entry_point``
        The plugin's name in the entry-point group ``proxima``.
    ``backends`` / ``loaders``
        The backends and loaders its hooks register, in order.
    ``engines``
        Modules importing the plugin and listing what it offers must not
        import (the engine and its heavy dependencies).
    ``native_form``
        The last step of each backend's conversion path (e.g.
        ``"cirq.Circuit"``) in a kernel run.
    ``exact_probabilities``
        The backends report exact probabilities of an ideal Bell circuit.
    """

    module: ClassVar[str]
    entry_point: ClassVar[str]
    backends: ClassVar[tuple[str, ...]]
    loaders: ClassVar[tuple[str, ...]] = ()
    engines: ClassVar[tuple[str, ...]] = ()
    native_form: ClassVar[str | None] = None
    exact_probabilities: ClassVar[bool] = False

    def kernel(self) -> Kernel:
        """A kernel with this plugin alone, never the installed ones."""
        plugin = importlib.import_module(self.module)
        return Kernel(plugins=[plugin], load_entry_points=False)

    def test_importing_the_plugin_imports_no_engine(self) -> None:
        """Listing backends and asking loaders stays clear of the engine."""
        code = textwrap.dedent(
            f"""
            import sys
            import {self.module} as plugin
            from proxima_kernel import Kernel

            kernel = Kernel(plugins=[plugin], load_entry_points=False)
            for backend in kernel.backends.values():
                backend.unsupported_reason
            for loader in kernel.loaders.values():
                loader.accepts("ghz:3")
            loaded = [m for m in {self.engines!r} if m in sys.modules]
            print(",".join(loaded))
            """
        )

        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )

        assert done.stdout.strip() == ""

    def test_the_entry_point_names_the_module(self) -> None:
        points = importlib.metadata.entry_points(group="proxima")

        found = {point.name: point.value for point in points}

        assert found.get(self.entry_point) == self.module

    def test_the_hooks_register_the_backends_and_loaders(self) -> None:
        kernel = self.kernel()

        assert list(kernel.backends) == list(self.backends)
        assert list(kernel.loaders) == list(self.loaders)

    def test_the_entry_point_registers_the_backends(self) -> None:
        kernel = Kernel()

        for name in self.backends:
            assert name in kernel.backends
            assert kernel.backends[name].engine_version()

    def test_a_kernel_run_reports_counts(self) -> None:
        """A Bell circuit through a kernel: both keys, and the native form."""
        prog = program(
            2, 2, Gate("h", (0,)), Gate("cx", (0, 1)), Measure(0, 0), Measure(1, 1)
        )
        circuit = Circuit("bell", "test", "bell", 2, 2, prog)

        report = self.kernel().run(
            circuit, backends=list(self.backends), shots=400, seed=1
        )

        for name in self.backends:
            result: Any = report.circuits[0].results[name]
            assert result.status is Status.OK, result.reason
            assert set(result.counts) == {"00", "11"}
            if self.exact_probabilities:
                expected = {"00": 0.5, "11": 0.5}
                assert result.probabilities == pytest.approx(expected)
            if self.native_form is not None:
                assert result.conversion_path[-1] == self.native_form
