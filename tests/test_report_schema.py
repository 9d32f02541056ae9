"""Every report the kernel writes satisfies the published JSON Schema."""

from __future__ import annotations

import json

import jsonschema
import pytest
from test_kernel_run import BackendPlugin

from proxima_kernel import Kernel, report_schema
from proxima_kernel import _builtins as builtins

SCHEMA = report_schema()


@pytest.fixture(scope="module")
def report_data(tmp_path_factory) -> dict:
    """A report with ok, failed and unsupported results and no-reference N/A."""
    kernel = Kernel(load_entry_points=False, plugins=[builtins, BackendPlugin()])
    out = tmp_path_factory.mktemp("report")

    kernel.run(
        ["ghz:3", "ghz:50", "qft:2"],
        backends=["zero", "broken", "picky"],
        exporters=["json"],
        out_dir=str(out),
    )

    return json.loads((out / "report.json").read_text())


def test_the_schema_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_a_real_report_with_every_status_validates(report_data):
    statuses = {
        result["status"]
        for circuit in report_data["circuits"]
        for result in circuit["results"].values()
    }

    jsonschema.validate(report_data, SCHEMA)
    assert statuses == {"ok", "failed", "unsupported"}


@pytest.mark.parametrize(
    ("path", "bad"),
    [
        (("results", "zero", "counts"), {"0x1": 3}),
        (("results", "zero", "status"), "fine"),
        (("results", "broken", "reason"), None),
        (("comparison", "per_backend", "zero", "tvd"), 1.5),
    ],
)
def test_a_report_that_breaks_the_contract_is_rejected(report_data, path, bad):
    broken = json.loads(json.dumps(report_data))
    target = broken["circuits"][0]
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = bad

    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, SCHEMA)


def test_the_schema_states_the_bit_order_of_keys():
    described = SCHEMA["$defs"]["bitstring_keys"]["description"]

    assert "highest global bit index on the left" in described
