# SPDX-License-Identifier: MIT
# Shared by the host tests (host/) and the guest tests (guest/): the
# package under test is the one on PYTHONPATH (run-tests.sh points it at
# BUILD/python), never one installed elsewhere by accident.
import os

import pytest

import ares

ONNX_DATA = "/usr/include/onnx/backend/test/data/node"


def pytest_report_header(config):
    return f"ares from {os.path.dirname(ares.__file__)}"


@pytest.fixture
def add_model():
    """ONNX's test_add: sum = x + y, float [3, 4, 5]."""
    return os.path.join(ONNX_DATA, "test_add", "model.onnx")
